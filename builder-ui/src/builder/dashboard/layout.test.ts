import { describe, expect, it } from 'vitest';
import type { DashboardSpec } from '../../dashboards/api';
import { repoFile } from '../testing/goSource';
import { addFilter, addWidget, applyLayout, removeFilter, removeWidget, toLayout, updateWidget, withIds } from './layout';

const example = JSON.parse(repoFile('engine/meta/testdata/valid/dashboard.json')) as DashboardSpec;

describe('dashboard layout', () => {
  it('turns widgets into grid items and back without change', () => {
    const layout = toLayout(example.widgets);
    expect(layout.map(({ i, x, y, w, h }) => ({ i, x, y, w, h }))).toEqual([
      { i: 'sales', x: 0, y: 0, w: 12, h: 6 },
      { i: 'members', x: 12, y: 0, w: 12, h: 6 },
    ]);
    expect(applyLayout(example.widgets, layout)).toBe(example.widgets);
  });

  it('takes moves and resizes, within the 24 columns and the format limits', () => {
    const moved = applyLayout(example.widgets, [
      { i: 'sales', x: 0, y: 6, w: 24, h: 8 },
      { i: 'members', x: 20, y: 0, w: 10, h: 0 },
    ]);
    expect(moved.map(({ x, y, w, h }) => ({ x, y, w, h }))).toEqual([
      { x: 0, y: 6, w: 24, h: 8 },
      { x: 14, y: 0, w: 10, h: 1 },
    ]);
    expect(moved[1]!.report).toBe('member-growth');
    expect(moved[1]!.chart).toEqual({ type: 'chart.line' });
  });

  it('adds widgets below the others and removes them', () => {
    const a = addWidget(example, 'sales-by-region');
    expect(a.id).toBe('w1');
    expect(a.spec.widgets[2]).toEqual({ id: 'w1', x: 0, y: 6, w: 12, h: 6, report: 'sales-by-region' });
    const b = addWidget(a.spec, 'x', 6, 4);
    expect(b.spec.widgets[3]).toMatchObject({ id: 'w2', y: 12, w: 6, h: 4 });
    expect(removeWidget(b.spec, 'w1').widgets.map((w) => w.id)).toEqual(['sales', 'members', 'w2']);
    expect(addWidget({ title: 'x', widgets: [] }, 'r').spec.widgets[0]).toMatchObject({ x: 0, y: 0 });
    const u = updateWidget(b.spec, 'w2', { title: '门店销售', chart: { type: 'chart.bar' } });
    expect(u.widgets[3]).toMatchObject({ title: '门店销售', chart: { type: 'chart.bar' } });
    expect(updateWidget(u, 'w2', { chart: undefined }).widgets[3]!.chart).toBeUndefined();
  });

  it('names widgets that have no id', () => {
    const spec: DashboardSpec = { title: 'x', widgets: [{ x: 0, y: 0, w: 6, h: 4, report: 'a' }, { id: 'w2', x: 6, y: 0, w: 6, h: 4, report: 'b' }, { x: 12, y: 0, w: 6, h: 4, report: 'c' }] };
    // Their place keys, unless an explicit id has one.
    expect(withIds(spec).widgets.map((w) => w.id)).toEqual(['w0', 'w2', 'w1']);
    expect(withIds(example)).toBe(example);
  });

  it('adds global filters and drops the bindings of a removed one', () => {
    let s = addFilter(example, 'dateRange');
    expect(s.filters!.map((f) => f.key)).toEqual(['period', 'store', 'period2']);
    s = addFilter(s, 'field');
    expect(s.filters![3]).toEqual({ key: 'field', type: 'field', field: '' });
    s = updateWidget(s, 'sales', { params: { period: '$period', region: 'east' } });
    s = removeFilter(s, 'period');
    expect(s.filters!.map((f) => f.key)).toEqual(['store', 'period2', 'field']);
    expect(s.widgets[0]!.params).toEqual({ region: 'east' });
    expect(removeFilter(updateWidget(s, 'members', { params: { p: '$store' } }), 'store').widgets[1]!.params).toBeUndefined();
  });
});
