import type { DashboardFilter, DashboardSpec, Widget } from '../../dashboards/api';
import { GRID_COLS, widgetKey } from '../../dashboards/grid';
import { patched } from '../patch';

/** One item of react-grid-layout's layout: a widget's key and its place. */
export interface GridItem {
  i: string;
  x: number;
  y: number;
  w: number;
  h: number;
  minW?: number;
  minH?: number;
}

/** The limits of the dashboard format (engine/meta/schemas/dashboard.json). */
const LIMITS = { x: [0, GRID_COLS - 1], y: [0, 10000], w: [1, GRID_COLS], h: [1, 100] } as const;

const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.min(Math.max(Math.round(v), lo), hi);

/** The grid layout of a dashboard's widgets, keyed like the runtime grid (widgetKey). */
export function toLayout(widgets: readonly Widget[]): GridItem[] {
  return widgets.map((w, i) => ({ i: widgetKey(w, i), x: w.x, y: w.y, w: w.w, h: w.h, minW: 2, minH: 2 }));
}

/**
 * The widgets placed as the grid says, within the format's limits (a
 * widget never sticks out of the 24 columns). Widgets the layout does not
 * name keep their place; an unchanged layout returns the same array.
 */
export function applyLayout(widgets: readonly Widget[], layout: readonly GridItem[]): Widget[] {
  const byKey = new Map(layout.map((l) => [l.i, l]));
  let changed = false;
  const out = widgets.map((w, i) => {
    const l = byKey.get(widgetKey(w, i));
    if (!l) return w;
    const width = clamp(l.w, LIMITS.w);
    const next = { ...w, x: Math.min(clamp(l.x, LIMITS.x), GRID_COLS - width), y: clamp(l.y, LIMITS.y), w: width, h: clamp(l.h, LIMITS.h) };
    if (next.x !== w.x || next.y !== w.y || next.w !== w.w || next.h !== w.h) changed = true;
    return next;
  });
  return changed ? out : (widgets as Widget[]);
}

/** An id for a new widget: w1, w2... not used by another widget. */
export function newWidgetId(spec: DashboardSpec): string {
  const used = new Set(spec.widgets.map((w, i) => widgetKey(w, i)));
  for (let n = 1; ; n++) if (!used.has(`w${n}`)) return `w${n}`;
}

/** Adds a report as a widget below the others, half the width. */
export function addWidget(spec: DashboardSpec, report: string, w = 12, h = 6): { spec: DashboardSpec; id: string } {
  const id = newWidgetId(spec);
  const bottom = Math.max(0, ...spec.widgets.map((x) => x.y + x.h));
  return { spec: { ...spec, widgets: [...spec.widgets, { id, x: 0, y: bottom, w, h, report }] }, id };
}

/** Gives every widget an id: its place key when free (the grid keeps addressing it the same way). */
export function withIds(spec: DashboardSpec): DashboardSpec {
  if (spec.widgets.every((w) => w.id)) return spec;
  const used = new Set(spec.widgets.flatMap((w) => (w.id ? [w.id] : [])));
  const widgets = spec.widgets.map((w, i) => {
    if (w.id) return w;
    let id = widgetKey(w, i);
    for (let n = 1; used.has(id); n++) id = `w${n}`;
    used.add(id);
    return { ...w, id };
  });
  return { ...spec, widgets };
}

export function removeWidget(spec: DashboardSpec, key: string): DashboardSpec {
  return { ...spec, widgets: spec.widgets.filter((w, i) => widgetKey(w, i) !== key) };
}

export function updateWidget(spec: DashboardSpec, key: string, patch: Partial<Widget>): DashboardSpec {
  return {
    ...spec,
    widgets: spec.widgets.map((w, i) => (widgetKey(w, i) === key ? patched(w, patch) : w)),
  };
}

/** Adds a global filter (a date range first, then fields), under a fresh key. */
export function addFilter(spec: DashboardSpec, type: DashboardFilter['type']): DashboardSpec {
  const filters = spec.filters ?? [];
  const used = new Set(filters.map((f) => f.key));
  const base = type === 'dateRange' ? 'period' : 'field';
  let key = base;
  for (let n = 2; used.has(key); n++) key = `${base}${n}`;
  const f: DashboardFilter = type === 'dateRange' ? { key, type } : { key, type, field: '' };
  return { ...spec, filters: [...filters, f] };
}

/** Removes a global filter and the widget parameters bound to it. */
export function removeFilter(spec: DashboardSpec, key: string): DashboardSpec {
  return {
    ...spec,
    filters: (spec.filters ?? []).filter((f) => f.key !== key),
    widgets: spec.widgets.map((w) => {
      if (!w.params) return w;
      const params = Object.fromEntries(Object.entries(w.params).filter(([, v]) => v !== `$${key}`));
      const next: Widget = { ...w, params };
      if (Object.keys(params).length === 0) delete next.params;
      return next;
    }),
  };
}
