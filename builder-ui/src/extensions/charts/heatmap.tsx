import type { EChartsOption } from 'echarts';
import type { DrillCell } from '../../dashboards/api';
import { dimensionText, formatUnits, toNumber } from './format';
import { categoryValues, dimensionColumns, drillable, list, measureColumns, obj } from './shared';
import type { ChartClick, ChartInput, ChartRenderer } from './types';

/**
 * chart.heatmap: a measure over two dimensions (hour of day by weekday,
 * store by month, cohort by month of activity), from the server's option
 * (engine/report chart_heatmap.go): cells [x index, y index, value]. The
 * UI names weekdays and hours in the reader's language and formats the
 * values; cells over hours or weekdays cannot be drilled (the records list
 * cannot select them).
 */
export function heatmapOption(input: ChartInput): EChartsOption {
  const { option: o, result: r, locale, compact } = input;
  const [x, y] = dimensionColumns(r);
  const s = obj(list(o.series)[0]);
  const ms = measureColumns(r);
  const f = (ms.find((m) => m.label === s.name) ?? ms[0])?.format;
  const names = (dim: typeof x, axis: unknown) =>
    dim ? categoryValues(r, dim.key).map((v) => dimensionText(dim, v, locale)) : list(obj(axis).data).map(String);
  const data = list(s.data).map((cell) => {
    const [xi, yi, v] = list(cell);
    return [xi, yi, toNumber(v)];
  });
  const vm = obj(o.visualMap);
  const numbers = data.map((c) => c[2]).filter((v): v is number => typeof v === 'number');
  return {
    tooltip: {
      position: 'top',
      confine: true,
      formatter: (p: unknown) => {
        const it = p as { value?: unknown[] };
        const [xi, yi, v] = it.value ?? [];
        const xs = names(x, o.xAxis);
        const ys = names(y, o.yAxis);
        return `${xs[Number(xi)] ?? ''} · ${ys[Number(yi)] ?? ''}: ${formatUnits(v, f, locale)}`;
      },
    },
    grid: { left: 8, right: 8, top: 8, bottom: compact ? 48 : 56 },
    xAxis: { type: 'category', data: names(x, o.xAxis), splitArea: { show: true }, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category', data: names(y, o.yAxis), splitArea: { show: true } },
    visualMap: {
      min: toNumber(vm.min) ?? (numbers.length ? Math.min(...numbers) : 0),
      max: toNumber(vm.max) ?? (numbers.length ? Math.max(...numbers) : 1),
      calculable: true,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: compact ? 100 : 140,
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
  const xv = categoryValues(r, x.key)[Number(xi)];
  const yv = categoryValues(r, y.key)[Number(yi)];
  if (xv === undefined || yv === undefined) return undefined;
  return { cell: { [x.key]: xv, [y.key]: yv } };
}

export const heatmap: ChartRenderer = { key: 'chart.heatmap', echarts: { option: heatmapOption, drill: heatmapDrill } };
