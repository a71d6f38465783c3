import { CloudUploadOutlined, DiffOutlined, HistoryOutlined, RedoOutlined, SaveOutlined, UndoOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Popconfirm, Space, Tag, Tooltip, Typography, type ButtonProps } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { LocalizedText } from '../../api/types';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import { builderPath } from '../paths';
import { DiffDrawer } from './DiffDrawer';
import type { Designer } from './useDesigner';
import { VersionsDrawer } from './VersionsDrawer';

interface Props<S> {
  d: Designer<S>;
  /** Local checks that block publishing (unreachable states...), already translated. */
  blockers?: string[];
  /** More buttons for the designer (preview, check). */
  extra?: ReactNode;
}

function isEditing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/**
 * The top bar of every designer: title, status, undo and redo, save draft,
 * the diff against the published revision, publish, versions; with the
 * conflict of a stale save and the server's problems under it. Ctrl+S
 * saves; Ctrl+Z and Ctrl+Shift+Z (or Ctrl+Y) undo and redo outside text
 * boxes, which keep their own undo.
 */
export function LifecycleBar<S extends { title?: LocalizedText }>({ d, blockers = [], extra }: Props<S>) {
  const { t, text } = useI18n();
  const [diff, setDiff] = useState(false);
  const [versions, setVersions] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      const k = e.key.toLowerCase();
      if (k === 's') {
        e.preventDefault();
        void d.save();
      } else if (!isEditing(e.target) && (k === 'z' || k === 'y')) {
        e.preventDefault();
        if (k === 'y' || e.shiftKey) d.redo();
        else d.undo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [d]);

  const status = d.dirty ? 'unsaved' : d.latest.status;
  const color = { unsaved: 'orange', draft: 'gold', published: 'green', superseded: 'default' }[status];
  const failure = d.failure ? errorMessage(d.failure) : undefined;
  return (
    <Flex vertical gap={8} style={{ marginBottom: 12 }}>
      <Flex gap={8} align="center" wrap>
        <Link to={builderPath(d.app)}>{t('builder.title')}</Link>
        <span>/</span>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="designer-title">
          {text(d.spec.title) || d.key}
        </Typography.Title>
        <Tag color={color} data-testid="designer-status">
          {status === 'unsaved' ? t('builder.unsaved') : t(`status.${status}`)} · v{d.latest.version}
        </Tag>
        <span style={{ flex: 1 }} />
        <Space wrap>
          {extra}
          <Tooltip title={t('builder.undo')}>
            <Button icon={<UndoOutlined />} disabled={!d.canUndo} onClick={d.undo} aria-label={t('builder.undo')} data-testid="undo" />
          </Tooltip>
          <Tooltip title={t('builder.redo')}>
            <Button icon={<RedoOutlined />} disabled={!d.canRedo} onClick={d.redo} aria-label={t('builder.redo')} data-testid="redo" />
          </Tooltip>
          <Button icon={<HistoryOutlined />} onClick={() => setVersions(true)} data-testid="versions-open">
            {t('builder.versions')}
          </Button>
          <Button icon={<DiffOutlined />} onClick={() => setDiff(true)} data-testid="diff-open">
            {t('builder.diff')}
          </Button>
          <Button icon={<SaveOutlined />} onClick={() => void d.save()} loading={d.busy} disabled={!d.dirty || d.conflict} data-testid="save-draft">
            {t('builder.saveDraft')}
          </Button>
          <Popconfirm
            title={t('builder.publishConfirm')}
            description={blockers.length > 0 ? t('builder.publishBlocked', { n: blockers.length }) : undefined}
            onConfirm={() => void d.publish()}
            okButtonProps={{ disabled: blockers.length > 0, 'data-testid': 'publish-confirm' } as ButtonProps}
          >
            <Button type="primary" icon={<CloudUploadOutlined />} loading={d.busy} disabled={d.conflict || (!d.dirty && d.latest.status === 'published')} data-testid="publish">
              {t('builder.publish')}
            </Button>
          </Popconfirm>
        </Space>
      </Flex>
      {d.conflict && (
        <Alert
          type="error"
          showIcon
          message={t('builder.conflict')}
          description={t('builder.conflictHelp')}
          action={
            <Button size="small" danger onClick={d.reload} data-testid="conflict-reload">
              {t('builder.reload')}
            </Button>
          }
          data-testid="conflict"
        />
      )}
      {d.problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          message={t('builder.invalid', { n: d.problems.length })}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {d.problems.map((p, i) => (
                <li key={i}>
                  <Typography.Text code>{p.path || '/'}</Typography.Text> {p.message}
                </li>
              ))}
            </ul>
          }
          data-testid="server-problems"
        />
      )}
      {blockers.length > 0 && (
        <Alert
          type="warning"
          showIcon
          message={t('builder.blockers', { n: blockers.length })}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {blockers.map((b, i) => (
                <li key={i}>{b}</li>
              ))}
            </ul>
          }
          data-testid="blockers"
        />
      )}
      {failure && <Alert type="error" showIcon message={t(failure.key, failure.params)} closable data-testid="designer-failure" />}
      <DiffDrawer open={diff} onClose={() => setDiff(false)} before={d.published?.spec} after={d.spec} publishedVersion={d.published?.version} />
      <VersionsDrawer open={versions} onClose={() => setVersions(false)} d={d} />
    </Flex>
  );
}
