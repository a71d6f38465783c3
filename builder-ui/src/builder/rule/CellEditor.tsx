import { Button, Checkbox, DatePicker, Flex, Input, Select, Typography } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { badValues, cellKinds, type CellKind, type CellModel, type Column, type ColumnType } from './table';

interface Props {
  column: Column;
  value: CellModel;
  onChange: (m: CellModel) => void;
}

/** One value of a column's type: a choice of its options, yes/no, a day, or text. */
function ValueInput({ type, options, value, onChange, label }: { type: ColumnType; options: string[] | undefined; value: string | undefined; onChange: (v: string) => void; label: string }) {
  const { t } = useI18n();
  const bad = value !== undefined && value !== '' && badValues({ kind: 'eq', value }, type).length > 0;
  if (options && options.length > 0) {
    return <Select value={value || undefined} onChange={onChange} options={options.map((o) => ({ value: o, label: o }))} style={{ minWidth: 140 }} aria-label={label} />;
  }
  if (type === 'bool') {
    return (
      <Select
        value={value || undefined}
        onChange={onChange}
        options={[
          { value: 'true', label: t('field.yes') },
          { value: 'false', label: t('field.no') },
        ]}
        style={{ minWidth: 100 }}
        aria-label={label}
      />
    );
  }
  if (type === 'date') {
    return <DatePicker value={value ? dayjs(value) : null} onChange={(d) => onChange(d ? d.format('YYYY-MM-DD') : '')} aria-label={label} />;
  }
  return <Input value={value ?? ''} onChange={(e) => onChange(e.target.value)} status={bad ? 'error' : undefined} style={{ width: 160 }} inputMode={type === 'int' || type === 'decimal' ? 'decimal' : undefined} aria-label={label} placeholder={type === 'datetime' ? '2026-10-01T10:00:00+08:00' : undefined} />;
}

/** A list of values: the column's options, or free tags. */
function ValuesInput({ options, values, onChange, label }: { options: string[] | undefined; values: string[]; onChange: (v: string[]) => void; label: string }) {
  return (
    <Select
      mode={options && options.length > 0 ? 'multiple' : 'tags'}
      value={values}
      onChange={onChange}
      options={(options ?? []).map((o) => ({ value: o, label: o }))}
      open={options && options.length > 0 ? undefined : false}
      style={{ minWidth: 220 }}
      aria-label={label}
    />
  );
}

function empty(kind: CellKind, prev: CellModel): CellModel {
  const carry = prev.kind === 'eq' || prev.kind === 'ne' ? [prev.value] : prev.kind === 'in' || prev.kind === 'nin' || prev.kind === 'contains' ? prev.values : [];
  switch (kind) {
    case 'eq':
    case 'ne':
      return { kind, value: carry[0] ?? '' };
    case 'in':
    case 'nin':
    case 'contains':
      return { kind, values: carry.filter(Boolean) };
    case 'range':
      return { kind: 'range' };
  }
  return { kind: 'any' };
}

/**
 * The editor of one input cell: any value, equal, not equal, one of, none
 * of, a range with open or closed ends, or (lists) contains — each with
 * editors of the column's type.
 */
export function CellEditor({ column, value, onChange }: Props) {
  const { t } = useI18n();
  const type = column.type;
  const scalar: ColumnType = type === 'list' ? 'string' : type;
  const bad = value.kind !== 'any' && value.kind !== 'raw' && badValues(value, type).length > 0;
  return (
    <Flex vertical gap={8} style={{ minWidth: 260 }} data-testid="cell-editor">
      <Select
        value={value.kind === 'raw' ? undefined : value.kind}
        onChange={(k: CellKind) => onChange(empty(k, value))}
        options={cellKinds(type).map((k) => ({ value: k, label: t(`builder.rule.cell.${k}` as MessageKey) }))}
        aria-label={t('builder.rule.cellKind')}
        data-testid="cell-kind"
      />
      {(value.kind === 'eq' || value.kind === 'ne') && <ValueInput type={scalar} options={column.options} value={value.value} onChange={(v) => onChange({ ...value, value: v })} label={t('builder.rule.value')} />}
      {(value.kind === 'in' || value.kind === 'nin' || value.kind === 'contains') && <ValuesInput options={column.options} values={value.values} onChange={(values) => onChange({ ...value, values })} label={t('builder.rule.values')} />}
      {value.kind === 'range' && (
        <Flex vertical gap={4}>
          {(['min', 'max'] as const).map((end) => {
            const open = end === 'min' ? 'minOpen' : 'maxOpen';
            const label = t(end === 'min' ? 'builder.rule.from' : 'builder.rule.to');
            return (
              <Flex key={end} gap={8} align="center">
                <span style={{ width: 40 }}>{label}</span>
                <ValueInput type={scalar} options={undefined} value={value[end]} onChange={(v) => onChange({ ...value, [end]: v })} label={label} />
                <Checkbox checked={value[open] === true} onChange={(e) => onChange({ ...value, [open]: e.target.checked || undefined })}>
                  {t('builder.rule.open')}
                </Checkbox>
              </Flex>
            );
          })}
        </Flex>
      )}
      {value.kind === 'raw' && (
        <Flex vertical gap={4}>
          <Typography.Text code>{JSON.stringify(value.cell)}</Typography.Text>
          <Button size="small" onClick={() => onChange({ kind: 'any' })}>
            {t('builder.rule.clearCell')}
          </Button>
        </Flex>
      )}
      {bad && <Typography.Text type="danger">{t('builder.rule.badValue', { type: t(`builder.rule.type.${type}` as MessageKey) })}</Typography.Text>}
    </Flex>
  );
}
