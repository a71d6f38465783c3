import { Badge, Calendar, Flex, List, Spin, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import type { FieldDef, FilterJson, FormSpec, RecordDoc } from '../../api/formTypes';
import { listRecords } from '../../api/records';
import { useI18n } from '../../i18n/useI18n';
import { andFilters } from '../filter/toFilter';
import { recordLoader, recordTitle } from '../resolve';

interface Props {
  app: string;
  form: string;
  spec: FormSpec;
  dateField: FieldDef;
  filter: FilterJson | undefined;
  view?: string;
  q?: string;
  mobile: boolean;
  onOpen: (rec: RecordDoc) => void;
}

/** The day a record falls on: a date as is, a date-time in the browser's zone. */
function dayOf(v: unknown, time: boolean): string | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  return time ? dayjs(v).format('YYYY-MM-DD') : v;
}

/** How many records one month may show; the rest are counted as "more". */
const MONTH_LIMIT = 1000;

/**
 * Records on a month calendar by a date or date-time field: one query for
 * the weeks shown. On phones a small calendar with the chosen day's list.
 */
export function CalendarBoard({ app, form, spec, dateField, filter, view, q, mobile, onOpen }: Props) {
  const { t } = useI18n();
  const [month, setMonth] = useState(() => dayjs().startOf('month'));
  const [day, setDay] = useState(() => dayjs().format('YYYY-MM-DD'));
  const [items, setItems] = useState<RecordDoc[]>([]);
  const [loading, setLoading] = useState(true);
  const time = dateField.type === 'datetime';
  const from = month.startOf('month').subtract(7, 'day');
  const to = month.endOf('month').add(8, 'day').startOf('day');
  const range = time ? { $gte: from.toISOString(), $lt: to.toISOString() } : { $gte: from.format('YYYY-MM-DD'), $lt: to.format('YYYY-MM-DD') };
  const f = andFilters(filter, { [dateField.key]: range });
  const key = JSON.stringify([f, view, q]);

  useEffect(() => {
    setLoading(true);
    listRecords(app, form, { filter: f, view, q, sort: dateField.key, limit: MONTH_LIMIT }).then(
      (p) => {
        for (const r of p.items) recordLoader(app, form).prime(r._id, r);
        setItems(p.items);
        setLoading(false);
      },
      () => setLoading(false),
    );
  }, [key]);

  const byDay = useMemo(() => {
    const m = new Map<string, RecordDoc[]>();
    for (const r of items) {
      const d = dayOf(r[dateField.key], time);
      if (!d) continue;
      let arr = m.get(d);
      if (!arr) m.set(d, (arr = []));
      arr.push(r);
    }
    return m;
  }, [items, dateField.key, time]);

  const cell = (d: Dayjs) => {
    const list = byDay.get(d.format('YYYY-MM-DD')) ?? [];
    if (mobile) return list.length > 0 ? <Badge count={list.length} size="small" /> : null;
    return (
      <Flex vertical gap={2}>
        {list.slice(0, 3).map((r) => (
          <Typography.Link
            key={r._id}
            ellipsis
            onClick={(e) => {
              e.stopPropagation();
              onOpen(r);
            }}
          >
            {recordTitle(r, spec, r._id)}
          </Typography.Link>
        ))}
        {list.length > 3 && <Typography.Text type="secondary">{t('calendar.more', { n: list.length - 3 })}</Typography.Text>}
      </Flex>
    );
  };

  return (
    <Spin spinning={loading}>
      <div data-testid="calendar">
        <Calendar
          fullscreen={!mobile}
          value={dayjs(day)}
          onPanelChange={(d) => setMonth(d.startOf('month'))}
          onSelect={(d) => {
            setDay(d.format('YYYY-MM-DD'));
            if (!d.isSame(month, 'month')) setMonth(d.startOf('month'));
          }}
          cellRender={(d, info) => (info.type === 'date' ? cell(d) : null)}
        />
        {mobile && (
          <List
            header={day}
            dataSource={byDay.get(day) ?? []}
            renderItem={(r) => (
              <List.Item onClick={() => onOpen(r)} style={{ cursor: 'pointer' }}>
                {recordTitle(r, spec, r._id)}
              </List.Item>
            )}
          />
        )}
      </div>
    </Spin>
  );
}
