import { App, Button, Card, Empty, Flex, Select, Spin, Tag, Typography, theme } from 'antd';
import { useEffect, useState } from 'react';
import type { FieldDef, FilterJson, FormSpec, RecordDoc } from '../../api/formTypes';
import { listRecords, patchRecord } from '../../api/records';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import type { ResolvedColumn } from '../columns';
import { andFilters } from '../filter/toFilter';
import { recordLoader, recordTitle } from '../resolve';
import { CellValue } from './CellValue';

interface Props {
  app: string;
  form: string;
  spec: FormSpec;
  group: FieldDef;
  columns: ResolvedColumn[];
  filter: FilterJson | undefined;
  view?: string;
  q?: string;
  sort?: string;
  onOpen: (rec: RecordDoc) => void;
}

const NONE = '';
const PAGE = 20;

function Column({ props, value, title, color, round, onMoved }: { props: Props; value: string; title: string; color?: string; round: number; onMoved: () => void }) {
  const { app, form, spec, group, columns, filter, view, q, sort, onOpen } = props;
  const { t, text } = useI18n();
  const { message } = App.useApp();
  const { token } = theme.useToken();
  const [items, setItems] = useState<RecordDoc[]>([]);
  const [next, setNext] = useState<string>();
  const [loading, setLoading] = useState(true);
  const own = value === NONE ? { [group.key]: { $exists: false } } : { [group.key]: { $eq: value } };
  const f = andFilters(filter, own);
  const key = JSON.stringify([f, view, q, sort, round]);

  const load = (cursor?: string) => {
    setLoading(true);
    listRecords(app, form, { filter: f, view, q, sort, limit: PAGE, cursor }).then(
      (p) => {
        for (const r of p.items) recordLoader(app, form).prime(r._id, r);
        setItems((prev) => (cursor ? [...prev, ...p.items] : p.items));
        setNext(p.next);
        setLoading(false);
      },
      () => setLoading(false),
    );
  };
  useEffect(() => load(), [key]);

  const move = async (rec: RecordDoc, to: string) => {
    try {
      await patchRecord(app, form, rec._id, { [group.key]: to === NONE ? null : to }, rec._version);
      onMoved();
    } catch (e) {
      const m = errorMessage(e);
      message.error(e instanceof Error && e.message ? e.message : t(m.key, m.params));
    }
  };
  const shown = columns.filter((c) => c.path !== group.key && c.path !== spec.titleField).slice(0, 2);
  return (
    <Flex vertical gap={8} style={{ flex: '0 0 264px', background: token.colorFillQuaternary, borderRadius: token.borderRadiusLG, padding: 8 }} data-testid={`kanban-column-${value || 'none'}`}>
      <Flex justify="space-between" align="center">
        <Tag color={color}>{title}</Tag>
      </Flex>
      <Spin spinning={loading}>
        <Flex vertical gap={8}>
          {items.map((rec) => (
            <Card key={rec._id} size="small" hoverable onClick={() => onOpen(rec)}>
              <Typography.Text strong>{recordTitle(rec, spec, rec._id)}</Typography.Text>
              {shown.map((c) => (
                <div key={c.path} style={{ marginTop: 4 }}>
                  <CellValue app={app} col={c} rec={rec} />
                </div>
              ))}
              <div onClick={(e) => e.stopPropagation()} style={{ marginTop: 8 }}>
                <Select
                  size="small"
                  value={value}
                  onChange={(to: string) => void move(rec, to)}
                  options={[...(group.options ?? []).map((o) => ({ value: o.value, label: text(o.label) })), { value: NONE, label: t('kanban.none') }]}
                  style={{ width: '100%' }}
                  aria-label={t('kanban.move')}
                />
              </div>
            </Card>
          ))}
          {!loading && items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
          {next && (
            <Button size="small" onClick={() => load(next)}>
              {t('kanban.more')}
            </Button>
          )}
        </Flex>
      </Spin>
    </Flex>
  );
}

/**
 * Records in columns by a select field, each column paged on its own
 * (twenty, then more); a card moves to another column by changing the
 * field, with the record's version so a concurrent change is not lost.
 */
export function KanbanBoard(props: Props) {
  const { t, text } = useI18n();
  const [round, setRound] = useState(0);
  const cols = [...(props.group.options ?? []).map((o) => ({ value: o.value, title: text(o.label), color: o.color })), { value: NONE, title: t('kanban.none'), color: undefined }];
  return (
    <div style={{ overflowX: 'auto', width: '100%' }} data-testid="kanban">
      <Flex gap={12} align="flex-start" style={{ width: 'max-content', paddingBottom: 8 }}>
        {cols.map((c) => (
          <Column key={c.value} props={props} value={c.value} title={c.title} color={c.color} round={round} onMoved={() => setRound((r) => r + 1)} />
        ))}
      </Flex>
    </div>
  );
}
