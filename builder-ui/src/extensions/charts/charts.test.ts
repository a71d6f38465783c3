import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseExactJson } from '../../api/exactJson';
import type { ReportResult } from '../../dashboards/api';
import { axisDrill, axisOption } from './axis';
import { dimensionText, fenToYuanText, formatMeasure, formatUnits, toNumber } from './format';
import { funnelDrill, funnelOption } from './funnel';
import { heatmapDrill, heatmapOption } from './heatmap';
import { kpiItems, kpiText } from './kpi';
import { choroplethDrill, choroplethOption, rankingDrill, rankingOption } from './map';
import { pieDrill, pieOption } from './pie';
import { buildPivot } from './pivotModel';
import { chartRenderer, chartTypeKeys } from './registry';
import { tableDrill, tableRows } from './table';
import type { ChartInput } from './types';

/** A result as the client reads it: decimals stay text (exactJson). */
function result(json: string): ReportResult {
  return parseExactJson(json) as ReportResult;
}

function input(r: ReportResult, compact = false, locale: 'zh-CN' | 'en' = 'zh-CN'): ChartInput {
  return { result: r, option: r.chart?.option ?? {}, locale, compact };
}

type Opt = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Sales (money, fen) and orders by region, top 3 and the others row; the
// server's option as engine/report chart_axis.go builds it.
const byRegion = result(`{
  "report": "sales-by-region", "truncated": false, "source": "raw", "cached": false,
  "parameters": {"period": {"from": "2026-10-25", "to": "2026-11-23"}},
  "columns": [
    {"key": "region", "label": "大区", "role": "dimension", "type": "string", "field": "store.region", "labels": {"east": "华东", "south": "华南", "north": "华北"}},
    {"key": "sales", "label": "销售额", "role": "measure", "type": "int", "format": "money"},
    {"key": "orders", "label": "订单数", "role": "measure", "type": "int"}],
  "rows": [{"region": "south", "sales": 733534, "orders": 46}, {"region": "east", "sales": 600559, "orders": 53}, {"region": null, "sales": 1000, "orders": 1}],
  "others": {"sales": 45510, "orders": 5},
  "chart": {"type": "chart.bar", "option": {"legend": {}, "tooltip": {"trigger": "axis"},
    "xAxis": {"type": "category", "name": "大区", "data": ["华南", "华东", "—", "其他"]}, "yAxis": {"type": "value"},
    "series": [{"name": "销售额", "type": "bar", "data": [7335.34, 6005.59, 10, 455.10]}, {"name": "订单数", "type": "bar", "data": [46, 53, 1, 5]}]}}
}`);

describe('formatting', () => {
  it('moves fen to yuan exactly and formats per locale', () => {
    expect(fenToYuanText(1234)).toBe('12.34');
    expect(fenToYuanText('12887.03')).toBe('128.8703');
    expect(fenToYuanText(5)).toBe('0.05');
    expect(fenToYuanText(-5)).toBe('-0.05');
    expect(fenToYuanText(100000)).toBe('1000');
    expect(fenToYuanText(0)).toBe('0');
    expect(fenToYuanText('9007199254740993')).toBe('90071992547409.93');
    expect(formatMeasure(733534, 'money', 'zh-CN')).toBe('¥7,335.34');
    expect(formatMeasure('12887.03', 'money', 'en')).toBe('¥128.87');
    expect(formatMeasure('-0.2415', 'percent', 'zh-CN')).toBe('-24.2%');
    expect(formatMeasure(142, undefined, 'en')).toBe('142');
    expect(formatMeasure(null, 'money', 'en')).toBe('—');
    expect(formatUnits(12345, 'money', 'zh-CN', true)).toBe('¥1.2万');
    expect(formatUnits(12345, 'number', 'en', true)).toBe('12.3K');
    expect(toNumber('455.10')).toBe(455.1);
    expect(toNumber('abc')).toBeNull();
  });

  it('names weekdays, hours, labels and nulls', () => {
    expect(dimensionText({ bucket: 'dayOfWeek', type: 'string' }, '1', 'zh-CN')).toBe('周一');
    expect(dimensionText({ bucket: 'dayOfWeek', type: 'string' }, '7', 'en')).toBe('Sun');
    expect(dimensionText({ bucket: 'hourOfDay', type: 'string' }, '9', 'en')).toBe('09:00');
    expect(dimensionText({ labels: { east: '华东' }, type: 'string' }, 'east', 'zh-CN')).toBe('华东');
    expect(dimensionText({ type: 'string' }, null, 'zh-CN')).toBe('—');
    expect(dimensionText({ type: 'bool' }, true, 'en')).toBe('Yes');
  });
});

describe('bar and line', () => {
  it('plots numbers, names categories in the reader language and puts orders on a second axis', () => {
    const o = axisOption(input(byRegion, false, 'en'), 'bar') as Opt;
    expect(o.xAxis.type).toBe('category');
    expect(o.xAxis.data).toEqual(['华南', '华东', '—', 'Others']);
    expect(o.series.map((s: Opt) => s.data)).toEqual([
      [7335.34, 6005.59, 10, 455.1],
      [46, 53, 1, 5],
    ]);
    // Money on the left axis, counts on the right.
    expect(o.yAxis).toHaveLength(2);
    expect(o.series.map((s: Opt) => s.yAxisIndex)).toEqual([0, 1]);
    expect(o.series[0].tooltip.valueFormatter(7335.34)).toBe('¥7,335.34');
    expect(o.series[1].tooltip.valueFormatter(46)).toBe('46');
    expect(o.yAxis[0].axisLabel.formatter(12000)).toBe('¥12K');
    expect(o.legend).toEqual({ type: 'scroll', bottom: 0 });
    expect(o.dataZoom).toEqual([]);
  });

  it('maps a click to the category value (or the others bar) and the series measure, or to nothing', () => {
    const i = input(byRegion);
    expect(axisDrill(i, { componentType: 'series', dataIndex: 1, seriesIndex: 0 })).toEqual({ cell: { region: 'east' }, measure: 'sales' });
    expect(axisDrill(i, { componentType: 'series', dataIndex: 2, seriesIndex: 1 })).toEqual({ cell: { region: null }, measure: 'orders' });
    expect(axisDrill(i, { componentType: 'series', dataIndex: 3, seriesIndex: 0 })).toEqual({ cell: {}, others: true, measure: 'sales' });
    expect(axisDrill(i, { componentType: 'series', dataIndex: 4, seriesIndex: 0 })).toBeUndefined();
    expect(axisDrill(i, { componentType: 'xAxis', dataIndex: 0 })).toBeUndefined();
  });

  // Sales by month stacked by region: a series per region, in first-seen order.
  const stacked = result(`{
    "report": "r", "truncated": false, "source": "raw", "cached": false,
    "columns": [
      {"key": "month", "label": "月", "role": "dimension", "type": "string", "bucket": "month"},
      {"key": "region", "label": "大区", "role": "dimension", "type": "string", "labels": {"east": "华东", "north": "华北"}},
      {"key": "sales", "label": "销售额", "role": "measure", "type": "int", "format": "money"}],
    "rows": [{"month": "2026-01", "region": "east", "sales": 100}, {"month": "2026-01", "region": "north", "sales": 200}, {"month": "2026-02", "region": "north", "sales": 300}],
    "chart": {"type": "chart.stacked_bar", "option": {"xAxis": {"type": "category", "data": ["2026-01", "2026-02"]}, "yAxis": {"type": "value"},
      "series": [{"name": "华东", "type": "bar", "stack": "total", "data": [1, null]}, {"name": "华北", "type": "bar", "stack": "total", "data": [2, 3]}]}}
  }`);

  it('stacks a series per value of the second dimension, one money axis, and drills into both values', () => {
    const o = chartRenderer('chart.stacked_bar').echarts!.option(input(stacked)) as Opt;
    expect(o.series.map((s: Opt) => [s.name, s.stack, s.data])).toEqual([
      ['华东', 'total', [1, null]],
      ['华北', 'total', [2, 3]],
    ]);
    expect(o.yAxis).toHaveLength(1);
    expect(o.series[1].tooltip.valueFormatter(3)).toBe('¥3.00');
    expect(axisDrill(input(stacked), { componentType: 'series', dataIndex: 1, seriesIndex: 1 })).toEqual({ cell: { month: '2026-02', region: 'north' }, measure: 'sales' });
  });

  it('turns horizontal bars into a ranking from the top and scrolls long axes', () => {
    const many = result(
      JSON.stringify({
        report: 'r',
        truncated: false,
        source: 'raw',
        cached: false,
        columns: [
          { key: 'day', label: '日', role: 'dimension', type: 'string', bucket: 'day' },
          { key: 'n', label: '笔数', role: 'measure', type: 'int' },
        ],
        rows: Array.from({ length: 40 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, n: i })),
        chart: { type: 'chart.line', option: { xAxis: { type: 'category', data: Array.from({ length: 40 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`) }, yAxis: { type: 'value' }, series: [{ name: '笔数', type: 'line', smooth: true, data: Array.from({ length: 40 }, (_, i) => i) }] } },
      }),
    );
    const line = axisOption(input(many), 'line') as Opt;
    expect(line.series[0].smooth).toBe(true);
    expect(line.xAxis.data).toHaveLength(40);
    // Days of one year lose the year on the axis.
    expect(line.xAxis.data[0]).toBe('11-01');
    // A line shows two months of days before it scrolls; a phone one month.
    expect(line.dataZoom).toEqual([]);
    expect(line.legend).toEqual({ show: false });
    const phone = axisOption(input(many, true), 'line') as Opt;
    expect(phone.dataZoom[0].endValue).toBe(30);
    expect((axisOption(input(many), 'bar') as Opt).dataZoom[0].endValue).toBe(23);
    expect(phone.xAxis.axisLabel.rotate).toBe(0);
    expect((axisOption(input(many, true), 'bar') as Opt).xAxis.axisLabel.rotate).toBe(30);

    const ranking = { ...byRegion, chart: { type: 'chart.bar', option: { ...byRegion.chart!.option, xAxis: { type: 'value' }, yAxis: (byRegion.chart!.option as Opt).xAxis } } };
    const h = axisOption(input(ranking), 'bar') as Opt;
    expect(h.yAxis.type).toBe('category');
    expect(h.yAxis.inverse).toBe(true);
    expect(h.series[1].xAxisIndex).toBe(1);
  });
});

describe('pie, donut and funnel', () => {
  const pie = { ...byRegion, chart: { type: 'chart.pie', option: { series: [{ name: '销售额', type: 'pie', radius: '60%', data: [{ name: '华南', value: 7335.34 }, { name: '华东', value: '6005.59' }, { name: '—', value: 10 }, { name: '其他', value: 455.1 }] }] } } };

  it('formats slices with their share and drills into a slice or the others slice', () => {
    const o = pieOption(input(pie), true) as Opt;
    expect(o.series[0].radius).toEqual(['38%', '62%']);
    expect((pieOption(input(pie), false) as Opt).series[0].radius).toBe('62%');
    expect(o.series[0].data[1]).toEqual({ name: '华东', value: 6005.59 });
    expect(o.tooltip.formatter({ marker: '', name: '华东', value: 6005.59, percent: 43.6 })).toBe('华东: ¥6,005.59 (43.6%)');
    expect(o.legend).toEqual({ type: 'scroll', bottom: 0 });
    expect(pieDrill(input(pie), { dataIndex: 0 })).toEqual({ cell: { region: 'south' }, measure: 'sales' });
    expect(pieDrill(input(pie), { dataIndex: 3 })).toEqual({ cell: {}, others: true, measure: 'sales' });
    expect(pieDrill(input(pie), { dataIndex: 9 })).toBeUndefined();
  });

  it('takes the measures as stages without a dimension, with each stage its measure filter', () => {
    const f = result(`{
      "report": "coupons", "truncated": false, "source": "raw", "cached": false,
      "columns": [{"key": "issued", "label": "发放", "role": "measure", "type": "int"}, {"key": "used", "label": "核销", "role": "measure", "type": "int"}],
      "rows": [{"issued": 558, "used": 120}],
      "chart": {"type": "chart.funnel", "option": {"series": [{"type": "funnel", "sort": "descending", "data": [{"name": "发放", "value": 558}, {"name": "核销", "value": 120}]}]}}
    }`);
    const o = funnelOption(input(f)) as Opt;
    expect(o.series[0].data).toEqual([
      { name: '发放', value: 558 },
      { name: '核销', value: 120 },
    ]);
    expect(o.series[0].label.formatter({ name: '核销', value: 120, dataIndex: 1 })).toBe('核销\n120');
    expect(funnelDrill(input(f), { dataIndex: 1 })).toEqual({ cell: {}, measure: 'used' });
  });
});

describe('map, heat map, KPI, table and pivot', () => {
  const provinces = result(`{
    "report": "p", "truncated": false, "source": "raw", "cached": false,
    "columns": [{"key": "province", "label": "省份", "role": "dimension", "type": "string"}, {"key": "sales", "label": "销售额", "role": "measure", "type": "int", "format": "money"}],
    "rows": [{"province": "上海市", "sales": 321251}, {"province": "广东省", "sales": 733534}, {"province": "四川省", "sales": 45510}],
    "chart": {"type": "chart.map", "option": {"series": [{"name": "销售额", "type": "map", "map": "china", "data": []}], "visualMap": {"min": 455.10, "max": 7335.34}}}
  }`);

  it('draws provinces as a choropleth named as the geometry names them, and drills by the clicked region', () => {
    const o = choroplethOption(input(provinces)) as Opt;
    expect(o.series[0].type).toBe('map');
    expect(o.series[0].map).toBe('china');
    expect(o.series[0].data).toEqual([
      { name: '上海', label: '上海市', value: 3212.51 },
      { name: '广东', label: '广东省', value: 7335.34 },
      { name: '四川', label: '四川省', value: 455.1 },
    ]);
    expect([o.visualMap.min, o.visualMap.max]).toEqual([455.1, 7335.34]);
    expect(o.tooltip.formatter({ name: '广东', data: o.series[0].data[1] })).toBe('广东省: ¥7,335.34');
    expect(choroplethDrill(input(provinces), { name: '广东' })).toEqual({ cell: { province: '广东省' }, measure: 'sales' });
    expect(choroplethDrill(input(provinces), { name: '四川省' })).toEqual({ cell: { province: '四川省' }, measure: 'sales' });
    // A region the rows do not hold (no sales there) opens nothing.
    expect(choroplethDrill(input(provinces), { name: '西藏' })).toBeUndefined();
  });

  it('falls back to a ranking coloured along the range when the geometry cannot load', () => {
    const o = rankingOption(input(provinces)) as Opt;
    expect(o.yAxis.data).toEqual(['广东省', '上海市', '四川省']);
    expect(o.series[0].type).toBe('bar');
    expect(o.series[0].data).toEqual([7335.34, 3212.51, 455.1]);
    expect([o.visualMap.min, o.visualMap.max]).toEqual([455.1, 7335.34]);
    expect(rankingDrill(input(provinces), { dataIndex: 0 })).toEqual({ cell: { province: '广东省' }, measure: 'sales' });
    expect(rankingDrill(input(provinces), { dataIndex: 2 })).toEqual({ cell: { province: '四川省' }, measure: 'sales' });
  });

  it('names the hours and weekdays of a heat map and refuses to drill into them', () => {
    const h = result(`{
      "report": "h", "truncated": false, "source": "raw", "cached": false,
      "columns": [{"key": "dow", "label": "星期", "role": "dimension", "type": "string", "bucket": "dayOfWeek"}, {"key": "hour", "label": "时", "role": "dimension", "type": "string", "bucket": "hourOfDay"},
        {"key": "n", "label": "笔数", "role": "measure", "type": "int"}],
      "rows": [{"dow": "6", "hour": "20", "n": 12}, {"dow": "1", "hour": "09", "n": 3}, {"dow": "6", "hour": "09", "n": 1}],
      "chart": {"type": "chart.heatmap", "option": {"xAxis": {"data": ["6", "1"]}, "yAxis": {"data": ["20", "09"]}, "visualMap": {"min": 1, "max": 12},
        "series": [{"name": "笔数", "type": "heatmap", "data": [[0, 0, 12], [1, 1, 3], [0, 1, 1]]}]}}
    }`);
    const o = heatmapOption(input(h)) as Opt;
    // Monday first and hours from the morning, whatever the rows' order.
    expect(o.xAxis.data).toEqual(['周一', '周六']);
    expect(o.yAxis.data).toEqual(['09:00', '20:00']);
    expect(o.series[0].data).toEqual([
      [1, 1, 12],
      [0, 0, 3],
      [1, 0, 1],
    ]);
    expect([o.visualMap.min, o.visualMap.max]).toEqual([1, 12]);
    expect(o.tooltip.formatter({ value: [1, 1, 12] })).toBe('周六 · 20:00: 12');
    expect(heatmapDrill(input(h), { value: [1, 1, 12] })).toBeUndefined();
    const byMonth = { ...h, columns: h.columns.map((c) => ({ ...c, bucket: c.key === 'dow' ? 'month' : undefined })) };
    // A bucketed axis sorts, a plain one keeps the rows' order (20, then 09).
    expect(heatmapDrill(input(byMonth), { value: [1, 1, 12] })).toEqual({ cell: { dow: '6', hour: '09' }, measure: 'n' });
  });

  it('reads KPI items with their comparisons in order', () => {
    const items = kpiItems({
      items: [
        { key: 'sales', label: '销售额', format: 'money', value: 1829958, compare: { lastYear: { value: 1, change: '0.5' }, previousPeriod: { value: 2412701, change: '-0.2415' } } },
        { key: 'orders', label: '订单数', format: '', value: 142 },
      ],
    });
    expect(items[0]!.compare.map((c) => [c.key, c.change])).toEqual([
      ['previousPeriod', -0.2415],
      ['lastYear', 0.5],
    ]);
    expect(items[1]).toEqual({ key: 'orders', label: '订单数', format: 'number', value: 142, compare: [] });
    // In full while it fits a card, shortened beyond.
    expect(kpiText(items[0]!, 'zh-CN')).toBe('¥18,299.58');
    expect(kpiText({ value: 12345678901, format: 'money' }, 'zh-CN')).toBe('¥1.2亿');
    expect(kpiText({ value: 12345678901, format: 'money' }, 'en')).toBe('¥123.5M');
  });

  it('lists table rows with the others and total rows, each drilling to its records', () => {
    const r = { ...byRegion, totals: { sales: 1380603, orders: 105 } };
    const rows = tableRows(r);
    expect(rows.map((x) => x.kind)).toEqual(['row', 'row', 'row', 'others', 'total']);
    expect(tableDrill(r, rows[0]!)).toEqual({ cell: { region: 'south' } });
    expect(tableDrill(r, rows[3]!)).toEqual({ cell: {}, others: true });
    expect(tableDrill(r, rows[4]!)).toEqual({ cell: {} });
  });

  // Region × city down the side, tier across, with the server's subtotals
  // (level 2: region+city, 1: region, 0: total).
  const pivot = result(`{
    "report": "pv", "truncated": false, "source": "raw", "cached": false,
    "columns": [
      {"key": "region", "label": "大区", "role": "dimension", "type": "string"},
      {"key": "city", "label": "城市", "role": "dimension", "type": "string"},
      {"key": "tier", "label": "等级", "role": "dimension", "type": "string"},
      {"key": "sales", "label": "销售额", "role": "measure", "type": "int", "format": "money"}],
    "rows": [
      {"region": "east", "city": "上海", "tier": "gold", "sales": 10},
      {"region": "north", "city": "北京", "tier": "normal", "sales": 20},
      {"region": "east", "city": "杭州", "tier": "normal", "sales": 30},
      {"region": "east", "city": "上海", "tier": "normal", "sales": 40}],
    "subtotals": [
      {"level": 2, "rows": [{"region": "east", "city": "上海", "sales": 50}, {"region": "north", "city": "北京", "sales": 20}, {"region": "east", "city": "杭州", "sales": 30}]},
      {"level": 1, "rows": [{"region": "east", "sales": 80}, {"region": "north", "sales": 20}]},
      {"level": 0, "rows": [{"sales": 100}]}],
    "chart": {"type": "chart.pivot", "option": {"rows": ["region", "city"], "columns": ["tier"], "values": ["sales"], "subtotals": true}}
  }`);

  it('groups pivot rows by their prefixes with exact subtotals and leaves cells the server did not aggregate empty', () => {
    const m = buildPivot(pivot, pivot.chart!.option);
    expect(m.columns.map((c) => c.values)).toEqual([['gold'], ['normal']]);
    expect(m.lines.map((l) => [l.kind, ...l.values])).toEqual([
      ['data', 'east', '上海'],
      ['data', 'east', '杭州'],
      ['subtotal', 'east'],
      ['data', 'north', '北京'],
      ['subtotal', 'north'],
      ['total'],
    ]);
    const [sh, hz, east, , , total] = m.lines;
    const [gold, normal] = m.columns;
    expect(m.cell(sh!, gold)?.sales).toBe(10);
    expect(m.cell(sh!, normal)?.sales).toBe(40);
    expect(m.cell(hz!, gold)).toBeUndefined();
    expect(m.cell(sh!, undefined)?.sales).toBe(50);
    expect(m.cell(east!, undefined)?.sales).toBe(80);
    // East × gold is not a level the server returns: empty, not summed here.
    expect(m.cell(east!, gold)).toBeUndefined();
    expect(m.cell(total!, undefined)?.sales).toBe(100);
    expect(m.totalColumn).toBe(true);
    expect(m.fixed(sh!, normal)).toEqual({ region: 'east', city: '上海', tier: 'normal' });
    expect(m.fixed(east!, undefined)).toEqual({ region: 'east' });
  });

  it('splits a pivot without settings into all but the last dimension down and the last across', () => {
    const m = buildPivot({ ...pivot, subtotals: [] }, {});
    expect(m.rowDims.map((d) => d.key)).toEqual(['region', 'city']);
    expect(m.colDims.map((d) => d.key)).toEqual(['tier']);
    expect(m.lines.every((l) => l.kind === 'data')).toBe(true);
    expect(m.totalColumn).toBe(false);
  });
});

describe('registry', () => {
  it('has a renderer for every chart type of the server and no other', () => {
    const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../engine/report');
    const server = readdirSync(dir)
      .filter((f) => /^chart_\w+\.go$/.test(f) && !f.endsWith('_test.go'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/chartSpec\("(chart\.\w+)"/g)].map((m) => m[1]))
      .sort();
    expect(server.length).toBeGreaterThan(5);
    expect(chartTypeKeys()).toEqual(server);
  });

  it('shows a type without a renderer as a table', () => {
    expect(chartRenderer('chart.plugin_sankey').key).toBe('chart.table');
    expect(chartRenderer(undefined).key).toBe('chart.table');
  });
});
