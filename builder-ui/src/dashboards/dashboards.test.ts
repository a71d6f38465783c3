import { describe, expect, it } from 'vitest';
import type { DashboardData, DashboardSpec, ReportResult } from './api';
import { recordsListPath, widgetExportUrl } from './api';
import { bindings, effectiveValue, expandJoinPath, filterParam, optionsFromResults, parseFilterParam, periodOf, presetPeriod, PRESETS, readingOrder, withValue } from './filters';
import { itemHeight, phoneChartHeight, widgetKey } from './grid';
import { reportAsDashboard } from './ReportPage';

// The cockpit of engine/report dashboard_test.go: the period goes to every
// report with a period parameter, the region where bound.
const cockpit: DashboardSpec = {
  title: { 'zh-CN': '总部驾驶舱', en: 'HQ cockpit' },
  refreshSeconds: 300,
  filters: [
    { key: 'period', type: 'dateRange', default: 'thisYear' },
    { key: 'region', type: 'field', field: 'store.region' },
  ],
  widgets: [
    { id: 'trend', x: 0, y: 0, w: 12, h: 6, report: 'trend' },
    { id: 'mix', x: 12, y: 0, w: 12, h: 6, report: 'sales', params: { period: '$period', region: '$region' } },
    { id: 'fixed', x: 0, y: 6, w: 12, h: 6, report: 'sales', params: { region: 'north' } },
    { id: 'phones', x: 12, y: 6, w: 12, h: 6, report: 'by-phone', params: { area: '$region' } },
  ],
};

describe('date presets', () => {
  // A Wednesday in Shanghai (the tests run in Asia/Shanghai).
  const now = new Date('2026-11-18T10:00:00+08:00');

  it('resolves every preset like the server, weeks from Monday', () => {
    const got = Object.fromEntries(PRESETS.map((p) => [p, presetPeriod(p, now)]));
    expect(got).toEqual({
      today: { from: '2026-11-18', to: '2026-11-18' },
      yesterday: { from: '2026-11-17', to: '2026-11-17' },
      last7days: { from: '2026-11-12', to: '2026-11-18' },
      last30days: { from: '2026-10-20', to: '2026-11-18' },
      thisWeek: { from: '2026-11-16', to: '2026-11-18' },
      lastWeek: { from: '2026-11-09', to: '2026-11-15' },
      thisMonth: { from: '2026-11-01', to: '2026-11-18' },
      lastMonth: { from: '2026-10-01', to: '2026-10-31' },
      thisQuarter: { from: '2026-10-01', to: '2026-11-18' },
      lastQuarter: { from: '2026-07-01', to: '2026-09-30' },
      thisYear: { from: '2026-01-01', to: '2026-11-18' },
      lastYear: { from: '2025-01-01', to: '2025-12-31' },
    });
  });

  it('crosses year and month edges', () => {
    const jan = new Date('2026-01-05T08:00:00+08:00'); // a Monday
    expect(presetPeriod('lastQuarter', jan)).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(presetPeriod('lastMonth', jan)).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(presetPeriod('thisWeek', jan)).toEqual({ from: '2026-01-05', to: '2026-01-05' });
    expect(presetPeriod('lastMonth', new Date('2026-03-31T12:00:00+08:00'))).toEqual({ from: '2026-02-01', to: '2026-02-28' });
  });

  it('reads a value as a period: a preset, {from, to}, or nothing', () => {
    expect(periodOf('yesterday', now)).toEqual({ from: '2026-11-17', to: '2026-11-17' });
    expect(periodOf({ from: '2026-01-01', to: '2026-01-31', extra: 1 }, now)).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(periodOf('someday', now)).toBeUndefined();
    expect(periodOf(42, now)).toBeUndefined();
  });
});

describe('filter values', () => {
  it('round-trip through the address and drop empty values', () => {
    const v = withValue(withValue({}, 'period', { from: '2026-01-01', to: '2026-01-31' }), 'region', 'east');
    const text = filterParam(v);
    expect(parseFilterParam(text ?? null)).toEqual({ period: { from: '2026-01-01', to: '2026-01-31' }, region: 'east' });
    expect(withValue(v, 'region', undefined)).toEqual({ period: { from: '2026-01-01', to: '2026-01-31' } });
    expect(withValue(v, 'region', [])).not.toHaveProperty('region');
    expect(filterParam({ a: '', b: null, c: [] })).toBeUndefined();
    expect(parseFilterParam('not json')).toEqual({});
    expect(parseFilterParam('[1,2]')).toEqual({});
  });

  it('shows the chosen value, else the one the server used, else the default', () => {
    const data = { filters: { period: 'thisYear' } } as unknown as DashboardData;
    const period = cockpit.filters![0]!;
    expect(effectiveValue(period, { period: 'today' }, data)).toBe('today');
    expect(effectiveValue(period, {}, data)).toBe('thisYear');
    expect(effectiveValue(period, {}, undefined)).toBe('thisYear');
    expect(effectiveValue(cockpit.filters![1]!, {}, data)).toBeUndefined();
  });

  it('builds export and drill addresses with the values', () => {
    expect(widgetExportUrl('crm', 'cockpit', 'mix', 'xlsx', { region: 'east', x: '' }, 'en')).toBe(
      '/api/apps/crm/dashboards/cockpit/widgets/mix/export?format=xlsx&lang=en&filters=%7B%22region%22%3A%22east%22%7D',
    );
    expect(recordsListPath('crm', 'transactions', { store: { $in: ['a'] } })).toBe('/apps/crm/form/transactions?filter=%7B%22store%22%3A%7B%22%24in%22%3A%5B%22a%22%5D%7D%7D');
  });
});

describe('parameter binding', () => {
  it('feeds a filter to "$key" bindings and to same-key parameters a widget does not bind', () => {
    expect(bindings(cockpit, 'region')).toEqual([
      { widget: 0, report: 'trend', param: 'region' },
      { widget: 1, report: 'sales', param: 'region' },
      { widget: 3, report: 'by-phone', param: 'area' },
      { widget: 3, report: 'by-phone', param: 'region' },
    ]);
    // With the reports' parameters known, only real ones are left.
    const known = new Map([
      ['trend', ['period']],
      ['sales', ['period', 'region']],
      ['by-phone', ['area']],
    ]);
    expect(bindings(cockpit, 'region', known)).toEqual([
      { widget: 1, report: 'sales', param: 'region' },
      { widget: 3, report: 'by-phone', param: 'area' },
    ]);
    expect(bindings(cockpit, 'period', known)).toEqual([
      { widget: 0, report: 'trend', param: 'period' },
      { widget: 1, report: 'sales', param: 'period' },
      { widget: 2, report: 'sales', param: 'period' },
    ]);
  });

  it('expands join aliases into relation paths, once each', () => {
    const joins = [
      { relation: 'store', as: 'store' },
      { relation: 'member', as: 'member' },
      { relation: 'member.homeStore', as: 'hs' },
    ];
    expect(expandJoinPath('store.region', joins)).toBe('store.region');
    expect(expandJoinPath('hs.region', joins)).toBe('member.homeStore.region');
    expect(expandJoinPath('paidAt', joins)).toBe('paidAt');
    expect(expandJoinPath('x.y', [{ relation: 'x.y', as: 'x' }])).toBe('x.y.y');
  });

  it('offers the labels of a dimension over the filter field when the definitions cannot be read', () => {
    const r = {
      columns: [
        { key: 'region', label: '大区', role: 'dimension', type: 'string', field: 'store.region', labels: { east: '华东', north: '华北' } },
        { key: 'sales', label: '销售额', role: 'measure', type: 'int', field: 'paid' },
      ],
    } as unknown as ReportResult;
    expect(optionsFromResults(cockpit.filters![1]!, [undefined, r])).toEqual([
      { value: 'east', label: '华东' },
      { value: 'north', label: '华北' },
    ]);
    expect(optionsFromResults({ key: 'tier', type: 'field', field: 'member.tier' }, [r])).toBeUndefined();
  });

  it('turns a report parameters into a one-widget dashboard', () => {
    const d = reportAsDashboard('sales', {
      title: '销售',
      parameters: [
        { key: 'period', type: 'dateRange', field: 'paidAt', default: 'last30days' },
        { key: 'region', type: 'value', field: 'store.region' },
      ],
    });
    expect(d.filters).toEqual([
      { key: 'period', type: 'dateRange', field: 'paidAt', label: undefined, default: 'last30days' },
      { key: 'region', type: 'field', field: 'store.region', label: undefined, default: undefined },
    ]);
    expect(bindings(d, 'region')).toEqual([{ widget: 0, report: 'sales', param: 'region' }]);
  });
});

describe('layout', () => {
  it('stacks widgets in reading order on phones and sizes the grid', () => {
    const order = readingOrder([
      { id: 'c', x: 12, y: 6 },
      { id: 'b', x: 12, y: 0 },
      { id: 'a', x: 0, y: 0 },
      { id: 'd', x: 0, y: 6 },
    ]);
    expect(order.map((w) => w.id)).toEqual(['a', 'b', 'd', 'c']);
    expect(itemHeight(1)).toBe(40);
    expect(itemHeight(6)).toBe(6 * 40 + 5 * 12);
    expect(phoneChartHeight('chart.kpi')).toBeUndefined();
    expect(phoneChartHeight('chart.pivot')).toBe(360);
    expect(phoneChartHeight('chart.line')).toBe(280);
    expect(widgetKey({ id: 'kpi' }, 3)).toBe('kpi');
    expect(widgetKey({}, 3)).toBe('w3');
  });
});
