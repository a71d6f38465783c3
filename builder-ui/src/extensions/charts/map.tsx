import type { EChartsOption } from 'echarts';
import type { DrillCell } from '../../dashboards/api';
import { dimensionText, formatUnits, toNumber } from './format';
import { dimensionColumns, drillable, list, measureColumns, obj, seriesMeasure, withMeasure } from './shared';
import { LABELS_INSIDE } from './axis';
import type { ChartClick, ChartInput, ChartRenderer } from './types';

/**
 * chart.map (values by province). Apache ECharts 6 ships no map geometry
 * (the China map left the package in 5.0, and no GeoJSON is bundled
 * here), so the provinces are drawn as a ranking: one horizontal bar per
 * province, largest first, coloured along the value range as a map's
 * regions would be. The server's option (a "map" series over "china") is
 * read for the measure; the rows give the order back for drilling.
 */

interface Ranked {
  row: number;
  name: string;
  value: number | null;
}

/** The provinces by value, largest first (ties and empty values keep row order). */
export function rankProvinces(input: ChartInput): Ranked[] {
  const { result: r, locale } = input;
  const d = dimensionColumns(r)[0];
  const s = obj(list(input.option.series)[0]);
  const ms = measureColumns(r);
  const m = ms.find((x) => x.label === s.name) ?? ms[0];
  if (!d || !m) return [];
  const ranked = r.rows.map((row, i) => ({ row: i, name: dimensionText(d, row[d.key], locale), value: toNumber(row[m.key]) }));
  return ranked.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || a.row - b.row);
}

export function mapOption(input: ChartInput): EChartsOption {
  const { result: r, locale, compact } = input;
  const s = obj(list(input.option.series)[0]);
  const ms = measureColumns(r);
  const f = (ms.find((x) => x.label === s.name) ?? ms[0])?.format;
  const ranked = rankProvinces(input);
  // Money: rows hold fen, the plotted values yuan, as on the server's option.
  const scale = f === 'money' ? 100 : 1;
  const values = ranked.map((p) => (p.value === null ? null : p.value / scale));
  const present = values.filter((v): v is number => v !== null);
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, valueFormatter: (v: unknown) => formatUnits(v, f, locale) },
    grid: { left: 8, right: 16, top: 8, bottom: 8, ...LABELS_INSIDE },
    xAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatUnits(v, f, locale, true) } },
    yAxis: { type: 'category', inverse: true, data: ranked.map((p) => p.name), axisLabel: { hideOverlap: true } },
    visualMap: {
      show: false,
      type: 'continuous',
      dimension: 0,
      min: present.length ? Math.min(...present) : 0,
      max: present.length ? Math.max(...present) : 1,
      inRange: { color: ['#91caff', '#0958d9'] },
    },
    dataZoom: ranked.length > (compact ? 8 : 16) ? [{ type: 'inside', yAxisIndex: 0, startValue: 0, endValue: compact ? 7 : 15 }] : [],
    series: [{ name: (s.name as string) ?? '', type: 'bar', barMaxWidth: 24, data: values }],
  } as EChartsOption;
}

/** The province of a clicked bar. */
export function mapDrill(input: ChartInput, click: ChartClick): DrillCell | undefined {
  const dims = dimensionColumns(input.result);
  const d = dims[0];
  if (!d || !drillable(dims) || click.dataIndex === undefined) return undefined;
  const p = rankProvinces(input)[click.dataIndex];
  const row = p ? input.result.rows[p.row] : undefined;
  const measure = seriesMeasure(input.result, obj(list(input.option.series)[0]).name);
  return row ? withMeasure({ cell: { [d.key]: row[d.key] ?? null } }, measure) : undefined;
}

export const map: ChartRenderer = { key: 'chart.map', echarts: { option: mapOption, drill: mapDrill } };
