import { DatePicker, Flex, Input, Select, Space, Tooltip, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo } from 'react';
import { fieldTypeUI } from '../extensions/fieldTypes/registry';
import { useAsync } from '../hooks/useAsync';
import { useI18n } from '../i18n/useI18n';
import type { DashboardData, DashboardFilter, DashboardSpec, FilterValues, Period } from './api';
import { resolveFilterField } from './filterField';
import { PRESETS, effectiveValue, isPeriod, isPreset, optionsFromResults, periodOf } from './filters';

interface Props {
  app: string;
  spec: DashboardSpec;
  values: FilterValues;
  data: DashboardData | undefined;
  mobile: boolean;
  onChange: (key: string, value: unknown) => void;
}

/** The dashboard's global filters in one row (wrapping on phones). */
export function FilterBar({ app, spec, values, data, mobile, onChange }: Props) {
  const { text } = useI18n();
  const filters = spec.filters ?? [];
  if (filters.length === 0) return null;
  return (
    <Flex gap={12} wrap align="center" data-testid="dashboard-filters">
      {filters.map((f) => {
        const value = effectiveValue(f, values, data);
        const label = text(f.label) || f.key;
        const clearable = f.default === undefined || f.default === null;
        return (
          <Flex key={f.key} gap={6} align="center" style={mobile ? { width: '100%' } : undefined} data-testid={`filter-${f.key}`}>
            <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
              {label}
            </Typography.Text>
            <div style={{ flex: mobile ? 1 : undefined, minWidth: mobile ? 0 : 160 }}>
              {f.type === 'dateRange' ? (
                <DateRangeFilter label={label} value={value} clearable={clearable} mobile={mobile} onChange={(v) => onChange(f.key, v)} />
              ) : (
                <FieldFilter app={app} spec={spec} filter={f} label={label} value={value} data={data} onChange={(v) => onChange(f.key, v)} />
              )}
            </div>
          </Flex>
        );
      })}
    </Flex>
  );
}

interface DateProps {
  label: string;
  value: unknown;
  clearable: boolean;
  mobile: boolean;
  onChange: (v: unknown) => void;
}

const CUSTOM = 'custom';

/** A date range: a named period (最近30天, 本月...) or days picked in a calendar. */
function DateRangeFilter({ label, value, clearable, mobile, onChange }: DateProps) {
  const { t } = useI18n();
  const now = useMemo(() => new Date(), []);
  const period = periodOf(value, now);
  const choice = isPreset(value) ? value : isPeriod(value) ? CUSTOM : undefined;
  const range: [Dayjs, Dayjs] | null = period ? [dayjs(period.from), dayjs(period.to)] : null;
  const setRange = (from: Dayjs | null | undefined, to: Dayjs | null | undefined) => {
    if (from && to) onChange({ from: from.format('YYYY-MM-DD'), to: to.format('YYYY-MM-DD') } satisfies Period);
  };
  return (
    <Space.Compact style={{ width: '100%' }} direction={mobile && choice === CUSTOM ? 'vertical' : 'horizontal'}>
      <Tooltip title={period ? `${period.from} ~ ${period.to}` : undefined}>
        <Select<string>
          value={choice}
          allowClear={clearable}
          placeholder={t('dashboards.anyDate')}
          aria-label={label}
          data-testid="date-preset"
          style={{ minWidth: 120, width: mobile ? '100%' : undefined }}
          onChange={(v) => {
            if (v === CUSTOM) onChange(period ?? periodOf('last30days', now));
            else onChange(v);
          }}
          options={[...PRESETS.map((p) => ({ value: p, label: t(`dashboards.preset.${p}`) })), { value: CUSTOM, label: t('dashboards.preset.custom') }]}
        />
      </Tooltip>
      {choice === CUSTOM &&
        (mobile ? (
          <Space.Compact style={{ width: '100%' }}>
            <DatePicker value={range?.[0]} allowClear={false} inputReadOnly onChange={(d) => setRange(d, range?.[1])} style={{ width: '50%' }} aria-label={t('dashboards.from')} />
            <DatePicker value={range?.[1]} allowClear={false} inputReadOnly onChange={(d) => setRange(range?.[0], d)} style={{ width: '50%' }} aria-label={t('dashboards.to')} />
          </Space.Compact>
        ) : (
          <DatePicker.RangePicker value={range} allowClear={false} onChange={(r) => setRange(r?.[0], r?.[1])} data-testid="date-range" />
        ))}
    </Space.Compact>
  );
}

interface FieldProps {
  app: string;
  spec: DashboardSpec;
  filter: DashboardFilter;
  label: string;
  value: unknown;
  data: DashboardData | undefined;
  onChange: (v: unknown) => void;
}

/**
 * A filter on a field (region, store, tier): the field's own control from
 * the form definition (a select's options, a relation's record search),
 * else the labels the results carry, else a text box.
 */
function FieldFilter({ app, spec, filter, label, value, data, onChange }: FieldProps) {
  const { t } = useI18n();
  const resolved = useAsync(() => resolveFilterField(app, spec, filter), [app, spec, filter]);
  const results = data?.widgets.map((w) => w.result);
  const options = useMemo(() => optionsFromResults(filter, results ?? []), [filter, results]);
  const field = resolved.data;
  const ui = field ? fieldTypeUI(field.field.type) : undefined;
  if (field && ui?.Input && !ui.computed) {
    const FieldInput = ui.Input;
    const def = { ...field.field, required: false, readOnly: false, placeholder: t('dashboards.any') };
    const formValue = value === undefined || value === null ? null : ui.toForm ? ui.toForm(value, def) : value;
    return (
      <div aria-label={label}>
        <FieldInput
          field={def}
          value={formValue}
          onChange={(v) => {
            const blank = v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
            onChange(blank ? undefined : (ui.toStored ?? ui.toInput)?.(v, def) ?? v);
          }}
          ctx={{ app, form: field.form, compact: true }}
        />
      </div>
    );
  }
  if (options) {
    return (
      <Select
        value={value === undefined || value === null ? undefined : String(value)}
        allowClear
        placeholder={t('dashboards.any')}
        aria-label={label}
        options={options}
        onChange={(v?: string) => onChange(v)}
        style={{ width: '100%', minWidth: 120 }}
      />
    );
  }
  return <Input.Search defaultValue={value === undefined || value === null ? '' : String(value)} allowClear placeholder={t('dashboards.any')} aria-label={label} onSearch={(v) => onChange(v.trim() || undefined)} />;
}
