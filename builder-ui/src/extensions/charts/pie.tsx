import type { EChartsOption } from 'echarts';
import type { DrillCell } from '../../dashboards/api';
import { formatUnits, toNumber } from './format';
import { dimensionColumns, drillable, list, measureColumns, obj, seriesMeasure, withMeasure } from './shared';
import type { ChartClick, ChartInput, ChartRenderer, EChartsRenderer } from './types';

interface PieItem {
  marker?: string;
  name?: string;
  value?: unknown;
  percent?: number;
}

/**
 * A pie or donut of the first measure by the dimension, the others row as
 * one slice (engine/report chart_pie.go): values formatted per measure,
 * shares in the tooltip, the legend beside (below on phones).
 */
export function pieOption(input: ChartInput, donut: boolean): EChartsOption {
  const { option: o, result: r, locale, compact } = input;
  const s = obj(list(o.series)[0]);
  const ms = measureColumns(r);
  const f = (ms.find((m) => m.label === s.name) ?? ms[0])?.format;
  const data = list(s.data).map((d) => ({ name: String(obj(d).name ?? ''), value: toNumber(obj(d).value) }));
  // The legend goes below, where long names and many slices fit on any width.
  const center = ['50%', '45%'];
  return {
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: unknown) => {
        const it = p as PieItem;
        return `${it.marker ?? ''}${it.name ?? ''}: ${formatUnits(it.value, f, locale)} (${it.percent ?? 0}%)`;
      },
    },
    legend: { type: 'scroll', bottom: 0 },
    series: [
      {
        name: s.name as string,
        type: 'pie',
        radius: donut ? ['38%', '62%'] : '62%',
        center,
        avoidLabelOverlap: true,
        // Names are in the legend; the slices carry their shares.
        label: { show: !compact, formatter: '{d}%' },
        data,
      },
    ],
  } as EChartsOption;
}

/** The slice's row, or the others row after the last one. */
export function pieDrill(input: ChartInput, click: ChartClick): DrillCell | undefined {
  const { result: r } = input;
  const dims = dimensionColumns(r);
  const d = dims[0];
  if (!d || !drillable(dims) || click.dataIndex === undefined) return undefined;
  const measure = seriesMeasure(r, obj(list(input.option.series)[0]).name);
  if (click.dataIndex === r.rows.length && r.others) return withMeasure({ cell: {}, others: true }, measure);
  const row = r.rows[click.dataIndex];
  return row ? withMeasure({ cell: { [d.key]: row[d.key] ?? null } }, measure) : undefined;
}

const renderer: EChartsRenderer = { option: (input) => pieOption(input, false), drill: pieDrill };

/** chart.pie: shares of a whole. */
export const pie: ChartRenderer = { key: 'chart.pie', echarts: renderer };
