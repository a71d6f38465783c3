import { Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { DrillCell, ReportColumn, ReportResult, ResultRow } from '../../dashboards/api';
import type { Locale } from '../../i18n/locale';
import { useI18n } from '../../i18n/useI18n';
import { dimensionText, formatMeasure, othersLabel } from './format';
import { canDrill, isInternalColumn, visibleColumns } from './resultKind';
import { dimensionColumns, rowCell } from './shared';
import type { ChartComponentProps, ChartRenderer } from './types';

/** A row of the table: a result row, the others row or the total. */
export interface TableRow {
  key: string;
  kind: 'row' | 'others' | 'total';
  values: ResultRow;
}

/** The rows the table shows: the result's, then the others row and the total when the result has them. */
export function tableRows(r: ReportResult): TableRow[] {
  const out: TableRow[] = r.rows.map((values, i) => ({ key: `r${i}`, kind: 'row', values }));
  if (r.others) out.push({ key: 'others', kind: 'others', values: r.others });
  if (r.totals) out.push({ key: 'total', kind: 'total', values: r.totals });
  return out;
}

/** A cell as people read it: a dimension's label, a measure in its format. */
export function cellText(col: ReportColumn, v: unknown, locale: Locale): string {
  if (col.role === 'dimension') return dimensionText(col, v, locale);
  return formatMeasure(v, col.role === 'change' ? 'percent' : col.format, locale);
}

/** The records behind a table row (a list's row: its record; a pair: none, the server refuses it). */
export function tableDrill(r: ReportResult, row: TableRow): DrillCell | undefined {
  if (!canDrill(r)) return undefined;
  if (row.kind === 'others') return { cell: {}, others: true };
  if (row.kind === 'total') return { cell: {} };
  return rowCell(r, row.values);
}

/** The columns a table shows: the option's (or every) column in its order, the server's internal ones (the record id) left out. */
export function tableColumns(r: ReportResult, option: Record<string, unknown>): ReportColumn[] {
  const byKey = new Map(r.columns.map((c) => [c.key, c]));
  const optCols: { key: string }[] = Array.isArray(option.columns) ? (option.columns as { key: string }[]) : r.columns;
  return visibleColumns(optCols)
    .map((oc) => byKey.get(oc.key))
    .filter((c): c is ReportColumn => c !== undefined);
}

/** The result as a table: every column (the option's order and titles), sortable locally, rows open their records (a list's row its record; a pair nothing). */
function ResultTable({ input, onDrill: drill, height }: ChartComponentProps) {
  const { t, locale } = useI18n();
  const r = input.result;
  const onDrill = canDrill(r) ? drill : undefined;
  const first = dimensionColumns(r).find((c) => !isInternalColumn(c));
  const columns: ColumnsType<TableRow> = tableColumns(r, input.option)
    .map((c) => ({
      key: c.key,
      title: c.label,
      align: c.role === 'dimension' ? 'left' : 'right',
      render: (_: unknown, row: TableRow) => {
        if (row.kind !== 'row' && c.key === first?.key) return <Typography.Text strong>{row.kind === 'others' ? othersLabel(locale) : t('charts.total')}</Typography.Text>;
        const text = cellText(c, row.values[c.key], locale);
        return row.kind === 'total' ? <Typography.Text strong>{text}</Typography.Text> : text;
      },
    }));
  const pageSize = typeof input.option.pageSize === 'number' ? input.option.pageSize : 50;
  const rows = tableRows(r);
  return (
    <Table<TableRow>
      size="small"
      rowKey="key"
      columns={columns}
      dataSource={rows}
      pagination={rows.length > pageSize ? { pageSize, size: 'small', showSizeChanger: false } : false}
      scroll={{ x: 'max-content', y: height ? Math.max(120, height - 48 - (rows.length > pageSize ? 40 : 0)) : undefined }}
      onRow={(row) => ({
        onClick: onDrill
          ? () => {
              const cell = tableDrill(r, row);
              if (cell) onDrill(cell);
            }
          : undefined,
        style: onDrill ? { cursor: 'pointer' } : undefined,
        'data-testid': 'result-row',
      })}
      data-testid="result-table"
    />
  );
}

/** chart.table: the rows as a table. */
export const table: ChartRenderer = { key: 'chart.table', Component: ResultTable };
