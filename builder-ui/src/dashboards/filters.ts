import type { DashboardData, DashboardFilter, DashboardSpec, FilterValues, Period, ReportResult } from './api';

/**
 * Global filters of a dashboard, as pure functions: their values in the
 * address, date presets, which report parameters a filter feeds, how a
 * filter's field is found through a report's joins, and choices read from
 * the results when the field's definition cannot be read.
 */

/** The server's named periods (engine/report presets.go), in menu order. */
export const PRESETS = ['today', 'yesterday', 'last7days', 'last30days', 'thisWeek', 'lastWeek', 'thisMonth', 'lastMonth', 'thisQuarter', 'lastQuarter', 'thisYear', 'lastYear'] as const;

export type Preset = (typeof PRESETS)[number];

export function isPreset(v: unknown): v is Preset {
  return typeof v === 'string' && (PRESETS as readonly string[]).includes(v);
}

export function isPeriod(v: unknown): v is Period {
  return !!v && typeof v === 'object' && typeof (v as Period).from === 'string' && typeof (v as Period).to === 'string';
}

function day(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * The days a preset covers on the day of now, in the user's zone (the
 * server resolves it in the report's zone, Asia/Shanghai by default; this
 * is for showing the dates next to the preset). Weeks start on Monday.
 */
export function presetPeriod(name: Preset, now: Date): Period {
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  const at = (yy: number, mm: number, dd: number) => new Date(yy, mm, dd);
  const today = at(y, m, d);
  const monday = at(y, m, d - ((today.getDay() + 6) % 7));
  const q = Math.floor(m / 3) * 3;
  const span = (f: Date, t: Date): Period => ({ from: day(f), to: day(t) });
  switch (name) {
    case 'today':
      return span(today, today);
    case 'yesterday':
      return span(at(y, m, d - 1), at(y, m, d - 1));
    case 'last7days':
      return span(at(y, m, d - 6), today);
    case 'last30days':
      return span(at(y, m, d - 29), today);
    case 'thisWeek':
      return span(monday, today);
    case 'lastWeek':
      return span(at(monday.getFullYear(), monday.getMonth(), monday.getDate() - 7), at(monday.getFullYear(), monday.getMonth(), monday.getDate() - 1));
    case 'thisMonth':
      return span(at(y, m, 1), today);
    case 'lastMonth':
      return span(at(y, m - 1, 1), at(y, m, 0));
    case 'thisQuarter':
      return span(at(y, q, 1), today);
    case 'lastQuarter':
      return span(at(y, q - 3, 1), at(y, q, 0));
    case 'thisYear':
      return span(at(y, 0, 1), today);
    case 'lastYear':
      return span(at(y - 1, 0, 1), at(y - 1, 11, 31));
  }
}

/** A date range value (a preset or {from, to}) as its days; undefined for anything else. */
export function periodOf(v: unknown, now: Date): Period | undefined {
  if (isPreset(v)) return presetPeriod(v, now);
  return isPeriod(v) ? { from: v.from, to: v.to } : undefined;
}

/** The values in the address (?filters={"period":"thisMonth"}); anything unreadable is none. */
export function parseFilterParam(raw: string | null): FilterValues {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as FilterValues) : {};
  } catch {
    return {};
  }
}

/** The values for the address, empty ones left out (undefined when none is left). */
export function filterParam(values: FilterValues): string | undefined {
  const set = Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0));
  return set.length > 0 ? JSON.stringify(Object.fromEntries(set)) : undefined;
}

/** Sets one filter's value, or removes it (undefined, null, "" or an empty list). */
export function withValue(values: FilterValues, key: string, value: unknown): FilterValues {
  const out = { ...values };
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) delete out[key];
  else out[key] = value;
  return out;
}

/** The value a control shows: the one chosen, else the one the server used (defaults applied), else the default. */
export function effectiveValue(f: DashboardFilter, values: FilterValues, data: DashboardData | undefined): unknown {
  if (f.key in values) return values[f.key];
  if (data && f.key in data.filters) return data.filters[f.key];
  return f.default;
}

/** A report parameter a global filter feeds. */
export interface Binding {
  widget: number;
  report: string;
  param: string;
}

/**
 * The report parameters a filter feeds, as the server binds them
 * (engine/report dashboard.go bindWidget): a widget parameter bound to
 * "$<key>", and a report parameter of the filter's own key that the
 * widget does not bind otherwise. reportParams lists each report's
 * parameter keys when known; unknown reports are assumed to have one of
 * the filter's key.
 */
export function bindings(spec: DashboardSpec, key: string, reportParams?: Map<string, string[]>): Binding[] {
  const out: Binding[] = [];
  spec.widgets.forEach((w, i) => {
    const params = w.params ?? {};
    for (const [p, v] of Object.entries(params)) if (v === `$${key}`) out.push({ widget: i, report: w.report, param: p });
    if (key in params) return;
    const known = reportParams?.get(w.report);
    if (!known || known.includes(key)) out.push({ widget: i, report: w.report, param: key });
  });
  return out;
}

/** A report dataset's join (engine/report spec.go Join). */
export interface Join {
  relation: string;
  as: string;
}

/**
 * A dataset path with join aliases replaced by the relations they follow
 * ("hs.region" with hs = member.homeStore -> "member.homeStore.region"),
 * which the records' column resolver then walks form by form.
 */
export function expandJoinPath(path: string, joins: Join[]): string {
  let parts = path.split('.');
  const used = new Set<string>();
  for (;;) {
    const head = parts[0] ?? '';
    const j = joins.find((x) => x.as === head && !used.has(x.as));
    if (!j || parts.length < 2) return parts.join('.');
    used.add(j.as);
    parts = [...j.relation.split('.'), ...parts.slice(1)];
  }
}

/** Choices for a filter read from the results: the labels of a dimension over the filter's field. */
export function optionsFromResults(f: DashboardFilter, results: (ReportResult | undefined)[]): { value: string; label: string }[] | undefined {
  for (const r of results) {
    const col = r?.columns.find((c) => c.role === 'dimension' && c.field === f.field && c.labels && Object.keys(c.labels).length > 0);
    if (col?.labels) return Object.entries(col.labels).map(([value, label]) => ({ value, label }));
  }
  return undefined;
}

/** The widgets in reading order (top to bottom, then left to right): the phone's stack. */
export function readingOrder<T extends { x: number; y: number }>(widgets: T[]): T[] {
  return widgets
    .map((w, i) => ({ w, i }))
    .sort((a, b) => a.w.y - b.w.y || a.w.x - b.w.x || a.i - b.i)
    .map(({ w }) => w);
}
