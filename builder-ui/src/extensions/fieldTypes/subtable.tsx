import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Table } from 'antd';
import type { FieldDef } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { OPS_EXISTS } from '../../records/stored';
import { fieldTypeUI } from './registry';
import { Empty, isBlank, setting } from './shared';
import type { DisplayProps, FieldTypeUI, InputProps } from './types';

type Row = Record<string, unknown>;

function rowsOf(v: unknown): Row[] {
  return Array.isArray(v) ? v.filter((r): r is Row => typeof r === 'object' && r !== null && !Array.isArray(r)) : [];
}

function columnsOf(field: FieldDef): FieldDef[] {
  return Array.isArray(field.fields) ? field.fields : [];
}

/** Maps every cell of every row with its column type's conversion. */
function mapRows(field: FieldDef, v: unknown, conv: (ui: FieldTypeUI, col: FieldDef, cell: unknown) => unknown, dropBlank: boolean): Row[] | null {
  const rows = rowsOf(v).map((r) => {
    const out: Row = {};
    for (const col of columnsOf(field)) {
      const cell = r[col.key];
      if (isBlank(cell)) continue;
      out[col.key] = conv(fieldTypeUI(col.type), col, cell);
    }
    return out;
  });
  const kept = dropBlank ? rows.filter((r) => Object.keys(r).length > 0) : rows;
  return kept.length > 0 ? kept : null;
}

/** Rows of cells, each edited by its column's own type; errors show in the cell (items[2].qty). */
function SubtableField({ field, value, onChange, ctx, disabled }: InputProps) {
  const { t, text } = useI18n();
  const rows = rowsOf(value);
  const cols = columnsOf(field);
  const maxRows = setting<number>(field, 'maxRows', 'number') ?? 1000;
  const errors = ctx.nestedErrors ?? {};
  const setCell = (i: number, key: string, cell: unknown) => onChange(rows.map((r, j) => (j === i ? { ...r, [key]: cell } : r)));
  const columns = [
    ...cols.map((col) => ({
      key: col.key,
      title: (
        <span>
          {col.required && <span className="tg-required">*</span>}
          {text(col.label)}
        </span>
      ),
      onCell: () => ({ style: { minWidth: 140, verticalAlign: 'top' as const } }),
      render: (_: unknown, _r: Row, i: number) => {
        const ui = fieldTypeUI(col.type);
        const cellErrors = errors[`[${i}].${col.key}`];
        const Input = ui.Input;
        return (
          <>
            {Input && !ui.computed && !col.readOnly ? (
              <Input field={col} value={rows[i]?.[col.key]} onChange={(v) => setCell(i, col.key, v)} ctx={{ ...ctx, nestedErrors: {} }} disabled={disabled} />
            ) : (
              <ui.Display field={col} value={rows[i]?.[col.key]} ctx={{ ...ctx, compact: true }} />
            )}
            {cellErrors && <div className="tg-field-error">{cellErrors.join('; ')}</div>}
          </>
        );
      },
    })),
    {
      key: '_remove',
      width: 48,
      render: (_: unknown, _r: Row, i: number) => (
        <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('field.removeRow')} disabled={disabled} onClick={() => onChange(rows.filter((_x, j) => j !== i))} />
      ),
    },
  ];
  const rowErrors = Object.entries(errors).filter(([p]) => !/^\[\d+\]\./.test(p));
  return (
    <>
      <Table<Row> size="small" rowKey={(_r) => String(rows.indexOf(_r))} dataSource={rows} columns={columns} pagination={false} scroll={{ x: 'max-content' }} bordered />
      {rows.length < maxRows && (
        <Button type="dashed" icon={<PlusOutlined />} onClick={() => onChange([...rows, {}])} disabled={disabled} style={{ marginTop: 8 }} block>
          {t('field.addRow')}
        </Button>
      )}
      {rowErrors.map(([p, msgs]) => (
        <div key={p} className="tg-field-error">
          {p} {msgs.join('; ')}
        </div>
      ))}
    </>
  );
}

function SubtableDisplay({ field, value, ctx }: DisplayProps) {
  const { t, text } = useI18n();
  const rows = rowsOf(value);
  if (rows.length === 0) return <Empty />;
  if (ctx.compact) return <span>{t('field.rows', { n: rows.length })}</span>;
  const columns = columnsOf(field).map((col) => ({
    key: col.key,
    title: text(col.label),
    render: (_: unknown, r: Row) => {
      const ui = fieldTypeUI(col.type);
      return <ui.Display field={col} value={r[col.key]} ctx={{ ...ctx, compact: true }} />;
    },
  }));
  return <Table<Row> size="small" rowKey={(r) => String(rows.indexOf(r))} dataSource={rows} columns={columns} pagination={false} scroll={{ x: 'max-content' }} bordered />;
}

/** subtable: rows inside the record (an order's lines), each column a field of its own type. */
export const subtable: FieldTypeUI = {
  key: 'subtable',
  stored: () => ({ kind: 'string', array: true, ops: OPS_EXISTS }),
  Input: SubtableField,
  Display: SubtableDisplay,
  toForm: (v, f) => mapRows(f, v, (ui, col, cell) => (ui.toForm ? ui.toForm(cell, col) : cell), false),
  fromInput: (v, f) => mapRows(f, v, (ui, col, cell) => (ui.fromInput ? ui.fromInput(cell, col) : cell), false),
  toInput: (v, f) => mapRows(f, v, (ui, col, cell) => (ui.toInput ? ui.toInput(cell, col) : cell), true),
  toStored: (v, f) => mapRows(f, v, (ui, col, cell) => (ui.toStored ? ui.toStored(cell, col) : ui.toInput ? ui.toInput(cell, col) : cell), true),
  showsNestedErrors: true,
};
