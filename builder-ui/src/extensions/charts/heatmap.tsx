import type { EChartsOption } from 'echarts';
import type { DrillCell } from '../../dashboards/api';
import { dimensionText, formatUnits, toNumber } from './format';
import { axisValues, dimensionColumns, drillable, keyText, list, measureColumns, obj, seriesMeasure, withMeasure } from './shared';
import { LABELS_INSIDE } from './axis';
import type { ChartClick, ChartInput, ChartRenderer } from './types';

/**
 * chart.heatmap: a measure over two dimensions (hour of day by weekday,
 * store by month, cohort by month of activity), after the server's option
 * (engine/report chart_heatmap.go). The cells are laid out again from the
 * rows so bucketed axes run in their natural order (00:00 to 23:00, Monday
 * to Sunday) whatever the rows' order; weekdays and hours are named in the
 * reader's language. Cells over hours or weekdays cannot be drilled (the
 * records list cannot select them).
 */
export function heatmapOption(input: ChartInput): EChartsOption {
  const { option: o, result: r, locale, compact } = input;
  const [x, y] = dimensionColumns(r);
  const s = obj(list(o.series)[0]);
  const ms = measureColumns(r);
  const m = ms.find((c) => c.label === s.name) ?? ms[0];
  const f = m?.format;
  if (!x || !y || !m) return { series: [] };
  const xs = axisValues(r, x);
  const ys = axisValues(r, y);
  const xi = new Map(xs.map((v, i) => [keyText(v), i]));
  const yi = new Map(ys.map((v, i) => [keyText(v), i]));
  // Money: rows hold fen, the plotted values yuan, as on the server's option.
  const scale = f === 'money' ? 100 : 1;
  const data = r.rows.map((row) => {
    const v = toNumber(row[m.key]);
    return [xi.get(keyText(row[x.key] ?? null)), yi.get(keyText(row[y.key] ?? null)), v === null ? null : v / scale];
  });
  const xNames = xs.map((v) => dimensionText(x, v, locale));
  const yNames = ys.map((v) => dimensionText(y, v, locale));
  const numbers = data.map((c) => c[2]).filter((v): v is number => typeof v === 'number');
  return {
    tooltip: {
      position: 'top',
      confine: true,
      formatter: (p: unknown) => {
        const [i, j, v] = (p as { value?: unknown[] }).value ?? [];
        return `${xNames[Number(i)] ?? ''} · ${yNames[Number(j)] ?? ''}: ${formatUnits(v, f, locale)}`;
      },
    },
    grid: { left: 8, right: 8, top: 8, bottom: 48, ...LABELS_INSIDE },
    xAxis: { type: 'category', data: xNames, splitArea: { show: true }, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category', data: yNames, splitArea: { show: true }, axisLabel: { hideOverlap: true } },
    visualMap: {
      min: numbers.length ? Math.min(...numbers) : 0,
      max: numbers.length ? Math.max(...numbers) : 1,
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemWidth: 12,
      itemHeight: compact ? 120 : 160,
      formatter: (v: unknown) => formatUnits(v, f, locale, true),
    },
    series: [{ name: (s.name as string) ?? '', type: 'heatmap', data, label: { show: obj(s.label).show === true }, emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } }],
  } as EChartsOption;
}

/** The cell of a clicked square: both dimensions' values. */
export function heatmapDrill(input: ChartInput, click: ChartClick): DrillCell | undefined {
  const { result: r } = input;
  const dims = dimensionColumns(r);
  const [x, y] = dims;
  if (!x || !y || !drillable(dims)) return undefined;
  const [xi, yi] = list(click.value ?? click.data);
  const xv = axisValues(r, x)[Number(xi)];
  const yv = axisValues(r, y)[Number(yi)];
  if (xv === undefined || yv === undefined) return undefined;
  return withMeasure({ cell: { [x.key]: xv, [y.key]: yv } }, seriesMeasure(r, obj(list(input.option.series)[0]).name));
}

export const heatmap: ChartRenderer = { key: 'chart.heatmap', echarts: { option: heatmapOption, drill: heatmapDrill } };
