import { RollbackOutlined } from '@ant-design/icons';
import { App, Button, Empty, Flex, Popconfirm, Spin, Table, Tag, Timeline, Typography } from 'antd';
import type { FieldDef, FormSpec, RecordDoc, Revision } from '../../api/formTypes';
import { recordHistory, restoreRevision } from '../../api/records';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { formatDateTime } from '../../format/date';
import { useAsync } from '../../hooks/useAsync';
import { errorMessage } from '../../i18n/errorMessage';
import type { MessageKey } from '../../i18n/messages';
import { useI18n } from '../../i18n/useI18n';
import { systemField } from '../columns';

interface Props {
  app: string;
  form: string;
  spec: FormSpec;
  record: RecordDoc;
  onRestored: (rec: RecordDoc) => void;
}

const OP_COLOR: Record<Revision['op'], string> = { create: 'green', update: 'blue', delete: 'red', restore: 'cyan', revert: 'purple' };

interface Change {
  key: string;
  field: FieldDef;
  old: unknown;
  now: unknown;
}

function changesOf(rev: Revision, spec: FormSpec): Change[] {
  const keys = rev.fields ?? [...new Set([...Object.keys(rev.old ?? {}), ...Object.keys(rev.new ?? {})])];
  return keys.map((key) => ({
    key,
    field: spec.fields.find((f) => f.key === key) ?? systemField(key) ?? { key, type: 'text', label: key },
    old: rev.old?.[key],
    now: rev.new?.[key],
  }));
}

/**
 * Who changed what when, newest first: each revision with its changed
 * fields, old value struck through beside the new one. An earlier
 * revision can be restored; the server writes that as a new revision, so
 * nothing is lost.
 */
export function HistoryPanel({ app, form, spec, record, onRestored }: Props) {
  const { t, text, locale } = useI18n();
  const { message } = App.useApp();
  const { data, error, loading, reload } = useAsync(() => recordHistory(app, form, record._id), [app, form, record._id, record._version]);
  if (loading && !data) return <Spin />;
  if (error || !data) {
    const m = errorMessage(error);
    return <Typography.Text type="danger">{t(m.key, m.params)}</Typography.Text>;
  }
  if (data.length === 0) return <Empty />;
  const restore = async (rev: number) => {
    try {
      const rec = await restoreRevision(app, form, record._id, rev);
      message.success(t('history.restored', { rev }));
      onRestored(rec);
      reload();
    } catch (e) {
      const m = errorMessage(e);
      message.error(e instanceof Error && m.key === 'error.unknown' ? e.message : t(m.key, m.params));
    }
  };
  const ctx = { app, form, compact: true };
  return (
    <div data-testid="history">
    <Timeline
      items={data.map((rev, i) => ({
        color: OP_COLOR[rev.op],
        children: (
          <Flex vertical gap={6} data-testid={`revision-${rev.rev}`}>
            <Flex gap={8} wrap align="center">
              <Tag color={OP_COLOR[rev.op]}>{t(`history.op.${rev.op}` as MessageKey, { from: rev.from ?? '' })}</Tag>
              <Typography.Text strong>#{rev.rev}</Typography.Text>
              <span>{rev.byName ?? rev.by}</span>
              <Typography.Text type="secondary">{formatDateTime(rev.at, locale)}</Typography.Text>
              {i > 0 && rev.op !== 'delete' && (
                <Popconfirm title={t('history.restoreConfirm', { rev: rev.rev })} onConfirm={() => restore(rev.rev)}>
                  <Button size="small" icon={<RollbackOutlined />} data-testid={`restore-${rev.rev}`}>
                    {t('history.restore')}
                  </Button>
                </Popconfirm>
              )}
            </Flex>
            {(rev.op === 'update' || rev.op === 'revert' || rev.op === 'create') && (
              <Table<Change>
                size="small"
                rowKey="key"
                pagination={false}
                dataSource={changesOf(rev, spec)}
                scroll={{ x: 'max-content' }}
                columns={[
                  { key: 'f', title: t('history.field'), render: (_: unknown, c) => text(c.field.label) },
                  ...(rev.op === 'create'
                    ? []
                    : [
                        {
                          key: 'o',
                          title: t('history.before'),
                          render: (_: unknown, c: Change) => {
                            const ui = fieldTypeUI(c.field.type);
                            return (
                              <span className="tg-diff-old">
                                <ui.Display field={c.field} value={c.old} ctx={ctx} />
                              </span>
                            );
                          },
                        },
                      ]),
                  {
                    key: 'n',
                    title: t('history.after'),
                    render: (_: unknown, c) => {
                      const ui = fieldTypeUI(c.field.type);
                      return (
                        <span className="tg-diff-new">
                          <ui.Display field={c.field} value={c.now} ctx={ctx} />
                        </span>
                      );
                    },
                  },
                ]}
              />
            )}
          </Flex>
        ),
      }))}
    />
    </div>
  );
}
