import { Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, type HTMLAttributes } from 'react';
import type { ReportColumn } from '../../dashboards/api';
import { useI18n } from '../../i18n/useI18n';
import { dimensionText, formatMeasure } from './format';
import { buildPivot, type PivotColumn, type PivotLine } from './pivotModel';
import { drillable } from './shared';
import type { ChartComponentProps, ChartRenderer } from './types';

/**
 * chart.pivot: row dimensions down the side (repeated values left out,
 * each group closed by its subtotal), column dimensions across the top
 * with a group per value and a total column, measures in the cells. A cell
 * opens the records it counts.
 */
function PivotTable({ input, onDrill, height }: ChartComponentProps) {
  const { t, locale } = useI18n();
  const r = input.result;
  const model = useMemo(() => buildPivot(r, input.option), [r, input.option]);
  const canDrill = onDrill && drillable([...model.rowDims, ...model.colDims]);

  const valueCell = (line: PivotLine, col: PivotColumn | undefined, m: ReportColumn) => {
    const row = model.cell(line, col);
    const text = row ? formatMeasure(row[m.key], m.format, locale) : '';
    const strong = line.kind !== 'data' || col === undefined;
    if (!row) return null;
    return (
      <span
        role={canDrill ? 'button' : undefined}
        data-testid="pivot-cell"
        onClick={canDrill ? () => onDrill({ cell: model.fixed(line, col), measure: m.key }) : undefined}
        style={{ cursor: canDrill ? 'pointer' : undefined, fontWeight: strong ? 600 : undefined }}
      >
        {text}
      </span>
    );
  };

  const measureCols = (col: PivotColumn | undefined, keyPrefix: string) =>
    model.measures.map((m) => ({
      key: `${keyPrefix}:${m.key}`,
      title: m.label,
      align: 'right' as const,
      render: (_: unknown, line: PivotLine) => valueCell(line, col, m),
    }));
  const groupTitle = (col: PivotColumn) => col.values.map((v, i) => (model.colDims[i] ? dimensionText(model.colDims[i], v, locale) : String(v))).join(' / ');
  const single = model.measures.length === 1;

  const columns: ColumnsType<PivotLine> = [
    ...model.rowDims.map((d, i) => ({
      key: `row:${d.key}`,
      title: d.label,
      fixed: i === 0 ? ('left' as const) : undefined,
      render: (_: unknown, line: PivotLine, index: number) => {
        if (line.kind === 'total') return i === 0 ? <Typography.Text strong>{t('charts.total')}</Typography.Text> : null;
        if (line.kind === 'subtotal' && i === line.depth) return <Typography.Text strong>{t('charts.subtotal')}</Typography.Text>;
        if (i >= line.depth) return null;
        // A value equal to the line above's (same group) is left out.
        const prev = model.lines[index - 1];
        if (line.kind === 'data' && prev?.kind === 'data' && prev.values.slice(0, i + 1).every((v, j) => v === line.values[j])) return null;
        return dimensionText(d, line.values[i], locale);
      },
    })),
    ...(model.colDims.length === 0
      ? measureCols(undefined, 'v')
      : [
          ...model.columns.map((col) =>
            single
              ? { ...measureCols(col, col.key)[0], title: groupTitle(col) }
              : { key: `c:${col.key}`, title: groupTitle(col), children: measureCols(col, col.key) },
          ),
          ...(model.totalColumn
            ? [single ? { ...measureCols(undefined, 'total')[0], title: t('charts.total') } : { key: 'total', title: t('charts.total'), children: measureCols(undefined, 'total') }]
            : []),
        ]),
  ];

  return (
    <Table<PivotLine>
      size="small"
      bordered
      rowKey="key"
      columns={columns}
      dataSource={model.lines}
      pagination={false}
      scroll={{ x: 'max-content', y: height ? Math.max(120, height - 80) : undefined }}
      onRow={(line) => ({ className: line.kind === 'data' ? undefined : 'tg-pivot-subtotal', 'data-testid': `pivot-${line.kind}` }) as HTMLAttributes<HTMLElement>}
      data-testid="pivot-table"
    />
  );
}

export const pivot: ChartRenderer = { key: 'chart.pivot', Component: PivotTable };
