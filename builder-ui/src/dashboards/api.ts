import { api } from '../api/client';
import type { FilterJson } from '../api/formTypes';
import type { LocalizedText } from '../api/types';

/**
 * The report and dashboard API (server/api/reports.go, dashboards.go):
 * results with typed columns and a chart spec, a dashboard's layout and
 * its widgets' results, the records filter behind a cell, and exports.
 */

const seg = encodeURIComponent;

/** How the UI shows a number: integer fen as yuan, a ratio as a percentage, or plain. */
export type NumberFormat = 'number' | 'money' | 'percent' | '';

/** One key of a result's rows. */
export interface ReportColumn {
  key: string;
  label: string;
  /** dimension, measure, compare (a measure in another period) or change (its relative change). */
  role: 'dimension' | 'measure' | 'compare' | 'change';
  type: 'string' | 'int' | 'decimal' | 'bool' | 'date' | 'time';
  format?: NumberFormat;
  /** The dataset path of a dimension or measure ("store.region"). */
  field?: string;
  /** A date dimension's bucket: day, week, month, quarter, year, hourOfDay, dayOfWeek. */
  bucket?: string;
  /** Stored value -> what people read (option labels, record titles, segment names). */
  labels?: Record<string, string>;
  of?: string;
  compare?: string;
}

/** One row: column key -> value; numbers are exact (money in fen; decimals as text). */
export type ResultRow = Record<string, unknown>;

/** A result's chart: its registered type and the ECharts option (or a component's settings). */
export interface ChartSpec {
  type: string;
  option: Record<string, unknown>;
}

/** A date range: whole days, inclusive. */
export interface Period {
  from: string;
  to: string;
}

/** One run of a report. */
export interface ReportResult {
  report: string;
  version?: number;
  title?: string;
  /** The values the run used, defaults and presets resolved (a date range as {from, to}). */
  parameters?: Record<string, unknown>;
  periods?: Record<string, Period>;
  columns: ReportColumn[];
  rows: ResultRow[];
  others?: ResultRow;
  totals?: ResultRow;
  subtotals?: { level: number; rows: ResultRow[] }[];
  truncated: boolean;
  chart?: ChartSpec;
  source: 'raw' | 'rollup';
  cached: boolean;
}

/** The records behind a cell: pass filter to the records list of form. */
export interface Drill {
  form: string;
  filter: FilterJson;
  count: number;
}

/** A cell of a result, as drill-down names it. */
export interface DrillCell {
  /** Dimension output -> the cell's value; a dimension left out is not constrained. */
  cell: Record<string, unknown>;
  /** The others row (everything past the top N). */
  others?: boolean;
  /** Also apply this conditional measure's filter (a funnel's stage). */
  measure?: string;
}

/** A global filter of a dashboard. */
export interface DashboardFilter {
  key: string;
  type: 'dateRange' | 'field';
  field?: string;
  label?: LocalizedText;
  default?: unknown;
}

/** A report placed on the 24-column grid. */
export interface Widget {
  id?: string;
  x: number;
  y: number;
  w: number;
  h: number;
  report: string;
  title?: LocalizedText;
  chart?: { type: string; config?: Record<string, unknown> };
  /** Report parameter -> "$<filter key>" or a constant. */
  params?: Record<string, unknown>;
}

/** A published dashboard definition. */
export interface DashboardSpec {
  title: LocalizedText;
  description?: LocalizedText;
  refreshSeconds?: number;
  roles?: string[];
  filters?: DashboardFilter[];
  widgets: Widget[];
}

/** One widget's result, or why it has none. */
export interface WidgetData {
  id: string;
  report: string;
  title: string;
  result?: ReportResult;
  error?: { code: string; message: string; errors?: { path: string; message: string }[] };
}

/** A dashboard's widgets' results for one set of filter values. */
export interface DashboardData {
  dashboard: string;
  version: number;
  title: string;
  refreshSeconds: number;
  /** The filter values used, defaults applied. */
  filters: Record<string, unknown>;
  widgets: WidgetData[];
}

/** Filter values by key, as the address and the API carry them. */
export type FilterValues = Record<string, unknown>;

function filtersQuery(values: FilterValues): string | undefined {
  const set = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  return Object.keys(set).length > 0 ? JSON.stringify(set) : undefined;
}

/** A published dashboard's layout and filters (the read right and its roles). */
export function getDashboard(app: string, key: string): Promise<{ key: string; version: number; spec: DashboardSpec }> {
  return api.get(`/api/apps/${seg(app)}/dashboards/${seg(key)}`);
}

/** Every widget's result (or one widget's) for the filter values; defaults fill the rest. */
export function dashboardData(app: string, key: string, values: FilterValues, widget?: string, signal?: AbortSignal): Promise<DashboardData> {
  const query = { filters: filtersQuery(values), widget };
  return api.get<DashboardData>(`/api/apps/${seg(app)}/dashboards/${seg(key)}/data`, signal ? { query, signal } : { query });
}

/** Runs a report with parameter values. */
export function runReport(app: string, report: string, parameters: FilterValues, signal?: AbortSignal): Promise<ReportResult> {
  const body = { parameters: JSON.parse(filtersQuery(parameters) ?? '{}') as FilterValues };
  return api.post<ReportResult>(`/api/apps/${seg(app)}/reports/${seg(report)}/run`, body, signal ? { signal } : {});
}

/** The records filter of a cell, under the parameters its result used. */
export function drillReport(app: string, report: string, parameters: FilterValues, cell: DrillCell): Promise<Drill> {
  const drill: Record<string, unknown> = { cell: cell.cell };
  if (cell.others) drill.others = true;
  if (cell.measure) drill.measure = cell.measure;
  return api.post<Drill>(`/api/apps/${seg(app)}/reports/${seg(report)}/run`, { parameters, drill });
}

/** Export formats. */
export type ExportFormat = 'csv' | 'xlsx';

function exportQuery(format: ExportFormat, lang: string, extra: Record<string, string | undefined>): string {
  const p = new URLSearchParams({ format, lang });
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) p.set(k, v);
  return p.toString();
}

/** The download address of one widget's result (a GET with the session cookie). */
export function widgetExportUrl(app: string, key: string, widget: string, format: ExportFormat, values: FilterValues, lang: string): string {
  return `/api/apps/${seg(app)}/dashboards/${seg(key)}/widgets/${seg(widget)}/export?${exportQuery(format, lang, { filters: filtersQuery(values) })}`;
}

/** The download address of the whole dashboard's data (a zip, one file per widget). */
export function dashboardExportUrl(app: string, key: string, format: ExportFormat, values: FilterValues, lang: string): string {
  return `/api/apps/${seg(app)}/dashboards/${seg(key)}/export?${exportQuery(format, lang, { filters: filtersQuery(values) })}`;
}

/** The download address of a report's result. */
export function reportExportUrl(app: string, report: string, format: ExportFormat, parameters: FilterValues, lang: string): string {
  return `/api/apps/${seg(app)}/reports/${seg(report)}/export?${exportQuery(format, lang, { parameters: filtersQuery(parameters) })}`;
}

/** The route of a form's records list with a filter in the address (the records list reads ?filter=). */
export function recordsListPath(app: string, form: string, filter: FilterJson): string {
  return `/apps/${seg(app)}/form/${seg(form)}?filter=${seg(JSON.stringify(filter))}`;
}
