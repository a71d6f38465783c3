import { Drawer, Empty, List, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useI18n } from '../../i18n/useI18n';
import { diffJson, preview } from './diff';

interface Props {
  open: boolean;
  onClose: () => void;
  /** The published spec; undefined when nothing was published yet. */
  before: unknown;
  after: unknown;
  publishedVersion?: number | undefined;
}

const color = { added: 'green', removed: 'red', changed: 'blue' } as const;

/** What the working copy changes against the published revision, path by path. */
export function DiffDrawer({ open, onClose, before, after, publishedVersion }: Props) {
  const { t } = useI18n();
  const changes = useMemo(() => (open ? diffJson(before ?? {}, after) : []), [open, before, after]);
  return (
    <Drawer open={open} onClose={onClose} width="min(560px, 100vw)" title={publishedVersion ? t('builder.diffTitle', { version: publishedVersion }) : t('builder.diffNone')}>
      {changes.length === 0 ? (
        <Empty description={t('builder.noChanges')} />
      ) : (
        <List
          size="small"
          dataSource={changes}
          data-testid="diff-list"
          renderItem={(c) => (
            <List.Item>
              <div style={{ width: '100%' }}>
                <Tag color={color[c.kind]}>{t(`builder.change.${c.kind}`)}</Tag>
                <Typography.Text code>{c.path || '/'}</Typography.Text>
                {c.kind !== 'added' && (
                  <div>
                    <Typography.Text type="secondary" delete={c.kind === 'removed'}>
                      {preview(c.before)}
                    </Typography.Text>
                  </div>
                )}
                {c.kind !== 'removed' && (
                  <div>
                    <Typography.Text>{preview(c.after)}</Typography.Text>
                  </div>
                )}
              </div>
            </List.Item>
          )}
        />
      )}
    </Drawer>
  );
}
