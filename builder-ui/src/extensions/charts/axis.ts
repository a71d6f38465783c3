import type { EChartsOption } from 'echarts';
import type { DrillCell, NumberFormat } from '../../dashboards/api';
import { dimensionText, formatUnits, othersLabel, toNumber } from './format';
import { categoryValues, dimensionColumns, drillable, list, measureColumns, obj, seriesMeasure, withMeasure } from './shared';
import type { ChartClick, ChartInput, EChartsRenderer } from './types';

/**
 * The category-axis charts (line, bar, stacked bar), from the server's
 * option (engine/report chart_axis.go): the first dimension along the
 * axis; with a second one, a series per value of it, otherwise a series
 * per measure. The UI adds what depends on the reader: category names in
 * their language (weekdays, hours), values formatted per measure (money in
 * yuan, percentages), a second value axis when measures of different
 * kinds share the chart (sales and orders), scrolling through long axes,
 * and room for a phone.
 */

/** Categories beyond which an axis scrolls: bars need room, a line shows a month of days. */
const MAX_CATEGORIES = { bar: 24, line: 62 };
const MAX_CATEGORIES_COMPACT = { bar: 8, line: 31 };

function norm(f: NumberFormat | undefined): NumberFormat {
  return f || 'number';
}

/** Each server series' measure format, by its name or position. */
export function seriesFormats(input: ChartInput): NumberFormat[] {
  const dims = dimensionColumns(input.result);
  const ms = measureColumns(input.result);
  return list(input.option.series).map((s, i) => {
    if (dims.length >= 2) return norm(ms[0]?.format);
    const name = obj(s).name;
    return norm((ms.find((m) => m.label === name) ?? ms[i])?.format);
  });
}

/** The category names: the dimension's values in the reader's language, the others row last. */
export function categoryNames(input: ChartInput, serverNames: string[]): string[] {
  const { result: r, locale } = input;
  const dims = dimensionColumns(r);
  const x = dims[0];
  if (!x) return serverNames;
  const names = categoryValues(r, x.key).map((v) => dimensionText(x, v, locale));
  if (r.others && dims.length === 1) names.push(othersLabel(locale));
  return names.length === serverNames.length ? names : serverNames;
}

/** Days of one year lose their year on the axis ("11-23"); the tooltip's title keeps what the axis shows. */
export function shortDays(input: ChartInput, names: string[]): string[] {
  const x = dimensionColumns(input.result)[0];
  if (x?.bucket !== 'day' && x?.bucket !== 'week') return names;
  const years = new Set(names.map((n) => (/^\d{4}-\d\d-\d\d$/.test(n) ? n.slice(0, 4) : '')));
  if (years.size !== 1 || years.has('')) return names;
  return names.map((n) => n.slice(5));
}

/** The grid's box holds the axis labels too, so a legend or slider below never covers them. */
export const LABELS_INSIDE = { outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' } as const;

/** The option of a line or bar chart. */
export function axisOption(input: ChartInput, kind: 'line' | 'bar'): EChartsOption {
  const { option: o, locale, compact } = input;
  const horizontal = obj(o.yAxis).type === 'category';
  const catAxis = obj(horizontal ? o.yAxis : o.xAxis);
  const names = shortDays(input, categoryNames(input, list(catAxis.data).map(String)));
  const formats = seriesFormats(input);
  // At most two value axes: the first kind of number on the left, the second on the right.
  const axisFormats = [...new Set(formats)].slice(0, 2);
  const series = list(o.series).map((raw, i) => {
    const s = obj(raw);
    const f = formats[i] ?? 'number';
    const axis = Math.max(0, axisFormats.indexOf(f));
    const out: Record<string, unknown> = {
      name: s.name,
      type: kind,
      data: list(s.data).map(toNumber),
      emphasis: { focus: 'series' },
      tooltip: { valueFormatter: (v: unknown) => formatUnits(v, f, locale) },
      [horizontal ? 'xAxisIndex' : 'yAxisIndex']: axis,
    };
    if (s.stack) out.stack = s.stack;
    if (kind === 'line') {
      out.smooth = s.smooth === true;
      out.showSymbol = names.length <= 31;
    } else {
      out.barMaxWidth = 48;
    }
    return out;
  });
  const valueAxes = axisFormats.map((f, i) => ({
    type: 'value' as const,
    axisLabel: { formatter: (v: number) => formatUnits(v, f, locale, true) },
    splitLine: { show: i === 0 },
  }));
  if (valueAxes.length === 0) valueAxes.push({ type: 'value', axisLabel: { formatter: (v: number) => formatUnits(v, 'number', locale, true) }, splitLine: { show: true } });
  const visible = (compact ? MAX_CATEGORIES_COMPACT : MAX_CATEGORIES)[kind];
  const many = names.length > visible;
  // The widget's title names the axis; an axis name would only crowd it.
  const category = {
    type: 'category' as const,
    data: names,
    boundaryGap: kind === 'bar',
    inverse: horizontal,
    axisTick: { alignWithLabel: true },
    axisLabel: { hideOverlap: true, rotate: kind === 'bar' && !horizontal && compact && names.length > 4 ? 30 : 0 },
  };
  const legend = series.length > 1;
  const bottom = (legend ? 28 : 8) + (many ? 24 : 0);
  const zoomAxis = horizontal ? 'yAxisIndex' : 'xAxisIndex';
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: kind === 'bar' ? 'shadow' : 'line' }, confine: true },
    legend: legend ? { type: 'scroll', bottom: 0 } : { show: false },
    grid: { left: 8, right: valueAxes.length > 1 ? 16 : 8, top: 24, bottom, ...LABELS_INSIDE },
    xAxis: horizontal ? valueAxes : category,
    yAxis: horizontal ? category : valueAxes,
    dataZoom: many
      ? [
          { type: 'inside', [zoomAxis]: 0, startValue: 0, endValue: visible - 1 },
          { type: 'slider', [zoomAxis]: 0, height: 14, bottom: legend ? 28 : 4, showDetail: false },
        ]
      : [],
    series,
  } as EChartsOption;
}

/**
 * The cell of a clicked bar or point: its category, and its series' value
 * when a second dimension splits them; with the series' measure, so a
 * conditional measure (completed sales) opens only the records it adds up.
 */
export function axisDrill(input: ChartInput, click: ChartClick): DrillCell | undefined {
  const { result: r } = input;
  const dims = dimensionColumns(r);
  const x = dims[0];
  if (!x || !drillable(dims) || click.componentType !== 'series' || click.dataIndex === undefined) return undefined;
  const xs = categoryValues(r, x.key);
  if (dims.length === 1) {
    const measure = seriesMeasure(r, obj(list(input.option.series)[click.seriesIndex ?? 0]).name);
    if (click.dataIndex === xs.length && r.others) return withMeasure({ cell: {}, others: true }, measure);
    if (click.dataIndex >= xs.length) return undefined;
    return withMeasure({ cell: { [x.key]: xs[click.dataIndex] } }, measure);
  }
  const y = dims[1];
  if (!y || click.seriesIndex === undefined) return undefined;
  const ys = categoryValues(r, y.key);
  if (click.dataIndex >= xs.length || click.seriesIndex >= ys.length) return undefined;
  // Series are the second dimension's values here; the measure is known only when there is one.
  return withMeasure({ cell: { [x.key]: xs[click.dataIndex], [y.key]: ys[click.seriesIndex] } }, seriesMeasure(r, undefined));
}

/** A renderer of one category-axis chart kind. */
export function axisRenderer(kind: 'line' | 'bar'): EChartsRenderer {
  return { option: (input) => axisOption(input, kind), drill: axisDrill };
}
