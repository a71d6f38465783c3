import type { FieldDef, FilterJson, FormSpec } from '../../api/formTypes';
import type { LocalizedText } from '../../api/types';
import type { AggregateRequest, AggregateRow } from '../api';
import type { ReportColumn, ReportResult } from '../../dashboards/api';
import { patched } from '../patch';

/** The report format (engine/meta/schemas/report.json), the parts the designer edits. */
export interface Dimension {
  field: string;
  bucket?: string;
  bins?: (number | string)[];
  quantiles?: number;
  as?: string;
  label?: LocalizedText;
}

export interface Measure {
  op: 'count' | 'sum' | 'avg' | 'min' | 'max' | 'countDistinct' | 'formula';
  field?: string;
  filter?: FilterJson;
  formula?: string;
  as?: string;
  label?: LocalizedText;
  format?: 'number' | 'money' | 'percent';
  decimals?: number;
  cumulative?: boolean;
}

export interface ReportSpec {
  title: LocalizedText;
  description?: LocalizedText;
  dataset: { form: string; filter?: FilterJson; joins?: { relation: string; as: string }[] };
  parameters?: { key: string; type: 'dateRange' | 'value'; field: string; label?: LocalizedText; required?: boolean; default?: unknown }[];
  dimensions?: Dimension[];
  measures: Measure[];
  sort?: string;
  limit?: number;
  others?: boolean;
  totals?: boolean;
  chart?: { type: string; config?: Record<string, unknown> };
  [more: string]: unknown;
}

/** A field the designer offers: a path of the dataset and the field behind it. */
export interface DatasetField {
  path: string;
  field: FieldDef;
  /** The join it comes through; undefined for the report's own form. */
  join?: string;
}

/** Types whose values are dates (dimensions get a bucket). */
const DATES = new Set(['date', 'datetime']);
/** Types whose values add up. */
const NUMBERS = new Set(['number', 'money', 'percent']);

/** The fields of the dataset: the form's, then each join's as <as>.<field>. */
export function datasetFields(spec: ReportSpec, forms: ReadonlyMap<string, FormSpec>): DatasetField[] {
  const base = forms.get(spec.dataset.form);
  if (!base) return [];
  const out: DatasetField[] = base.fields.filter((f) => f.type !== 'subtable').map((f) => ({ path: f.key, field: f }));
  for (const j of spec.dataset.joins ?? []) {
    // A join follows a relation of the form, or of an earlier join (member.homeStore).
    const rel = out.find((x) => x.path === j.relation && x.field.type === 'relation');
    const target = rel && typeof rel.field.form === 'string' ? forms.get(rel.field.form) : undefined;
    for (const f of target?.fields ?? []) if (f.type !== 'subtable') out.push({ path: `${j.as}.${f.key}`, field: f, join: j.as });
  }
  return out;
}

/** The output name the server gives a dimension: its as, else the path with _ and the bucket. */
export function dimensionKey(d: Dimension): string {
  if (d.as) return d.as;
  let k = d.field.replace(/\./g, '_');
  if (d.bucket) k += `_${d.bucket}`;
  else if (d.quantiles) k += '_score';
  else if (d.bins) k += '_bin';
  return k;
}

/** The output name the server gives a measure: its as, else op_field. */
export function measureKey(m: Measure): string {
  if (m.as) return m.as;
  return m.field ? `${m.op}_${m.field.replace(/\./g, '_')}` : m.op;
}

/** A dimension for a field: dates by month. */
export function newDimension(f: DatasetField): Dimension {
  return DATES.has(f.field.type) ? { field: f.path, bucket: 'month' } : { field: f.path };
}

/** A measure for a field: numbers summed (money shown as money), anything else counted distinct. */
export function newMeasure(f: DatasetField | undefined): Measure {
  if (!f) return { op: 'count' };
  if (NUMBERS.has(f.field.type) || (f.field.type === 'formula' && f.field.resultType !== 'text') || f.field.type === 'rollup') {
    const m: Measure = { op: 'sum', field: f.path };
    if (f.field.type === 'money' || f.field.resultType === 'money') m.format = 'money';
    return m;
  }
  return { op: 'countDistinct', field: f.path };
}

function move<T>(xs: readonly T[], from: number, to: number): T[] {
  const out = [...xs];
  if (from < 0 || from >= out.length || to < 0 || to >= out.length) return out;
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x!);
  return out;
}

/** Adds a dimension at index (the end by default); a field already a dimension is not added twice. */
export function addDimension(spec: ReportSpec, d: Dimension, at?: number): ReportSpec {
  const dims = [...(spec.dimensions ?? [])];
  if (dims.some((x) => dimensionKey(x) === dimensionKey(d))) return spec;
  dims.splice(at ?? dims.length, 0, d);
  return { ...spec, dimensions: dims };
}

/** Adds a measure at index; a measure with the same output name gets a numbered as. */
export function addMeasure(spec: ReportSpec, m: Measure, at?: number): ReportSpec {
  const ms = [...spec.measures];
  const taken = new Set(ms.map(measureKey));
  let next = m;
  for (let n = 2; taken.has(measureKey(next)); n++) next = { ...m, as: `${measureKey(m)}${n}` };
  ms.splice(at ?? ms.length, 0, next);
  return { ...spec, measures: ms };
}

export function moveDimension(spec: ReportSpec, from: number, to: number): ReportSpec {
  return { ...spec, dimensions: move(spec.dimensions ?? [], from, to) };
}

export function moveMeasure(spec: ReportSpec, from: number, to: number): ReportSpec {
  return { ...spec, measures: move(spec.measures, from, to) };
}

export function removeDimension(spec: ReportSpec, index: number): ReportSpec {
  return { ...spec, dimensions: (spec.dimensions ?? []).filter((_d, i) => i !== index) };
}

/** Removes a measure; the last one stays (a report needs one). */
export function removeMeasure(spec: ReportSpec, index: number): ReportSpec {
  if (spec.measures.length <= 1) return spec;
  return { ...spec, measures: spec.measures.filter((_m, i) => i !== index) };
}

function patchAt<T extends object>(xs: readonly T[], index: number, patch: Partial<T>): T[] {
  return xs.map((x, i) => (i === index ? patched(x, patch) : x));
}

export function updateDimension(spec: ReportSpec, index: number, patch: Partial<Dimension>): ReportSpec {
  return { ...spec, dimensions: patchAt(spec.dimensions ?? [], index, patch) };
}

export function updateMeasure(spec: ReportSpec, index: number, patch: Partial<Measure>): ReportSpec {
  return { ...spec, measures: patchAt(spec.measures, index, patch) };
}

/** Aggregate ops the records API runs itself (the preview); formulas need the report engine. */
const PREVIEW_OPS = new Set(['count', 'sum', 'avg', 'min', 'max', 'countDistinct']);

/**
 * The records aggregate that previews a draft: the dimensions and measures
 * on the report's own form (joined fields, formula and conditional
 * measures and cumulative sums need the report engine, which runs
 * published reports only; they are listed in skipped).
 */
export function previewRequest(spec: ReportSpec): { request: AggregateRequest; skipped: string[] } {
  const skipped: string[] = [];
  const groupBy: NonNullable<AggregateRequest['groupBy']> = [];
  for (const d of spec.dimensions ?? []) {
    if (d.field.includes('.') || d.bins || d.quantiles) {
      skipped.push(d.field);
      continue;
    }
    const g: { field: string; bucket?: string; as: string } = { field: d.field, as: dimensionKey(d) };
    if (d.bucket) g.bucket = d.bucket;
    groupBy.push(g);
  }
  const measures: AggregateRequest['measures'] = [];
  for (const m of spec.measures) {
    if (!PREVIEW_OPS.has(m.op) || m.filter || m.cumulative || (m.field && m.field.includes('.'))) {
      skipped.push(measureKey(m));
      continue;
    }
    const x: { op: string; field?: string; as: string } = { op: m.op, as: measureKey(m) };
    if (m.field) x.field = m.field;
    measures.push(x);
  }
  if (measures.length === 0) measures.push({ op: 'count', as: 'count' });
  const request: AggregateRequest = { groupBy, measures, limit: Math.min(spec.limit ?? 200, 200) };
  if (spec.dataset.filter) request.filter = spec.dataset.filter;
  if (spec.sort) request.sort = spec.sort;
  return { request, skipped };
}

/** Option labels of select fields, so the preview shows 金卡 rather than gold. */
function labelsOf(f: FieldDef | undefined, text: (v: LocalizedText) => string): Record<string, string> | undefined {
  if (!f?.options) return undefined;
  return Object.fromEntries(f.options.map((o) => [o.value, text(o.label)]));
}

/**
 * A preview's rows as a report result, with a chart option in the shape
 * the server gives axis and pie charts (engine/report chart_axis.go), so
 * the runtime's chart renderers draw it as they draw a published report.
 */
export function previewResult(spec: ReportSpec, rows: AggregateRow[], fields: readonly DatasetField[], chartType: string, text: (v: LocalizedText) => string): ReportResult {
  const byPath = new Map(fields.map((f) => [f.path, f.field]));
  const { request } = previewRequest(spec);
  const dims: ReportColumn[] = (request.groupBy ?? []).map((g) => {
    const f = byPath.get(g.field);
    const c: ReportColumn = { key: g.as ?? g.field, label: f ? text(f.label) : g.field, role: 'dimension', type: 'string', field: g.field };
    if (g.bucket) c.bucket = g.bucket;
    const labels = labelsOf(f, text);
    if (labels) c.labels = labels;
    return c;
  });
  const ms: ReportColumn[] = request.measures.map((m) => {
    const def = spec.measures.find((x) => measureKey(x) === m.as);
    const f = m.field ? byPath.get(m.field) : undefined;
    const c: ReportColumn = { key: m.as, label: def?.label ? text(def.label) : f ? `${text(f.label)} (${m.op})` : m.op, role: 'measure', type: 'decimal' };
    if (def?.format) c.format = def.format;
    return c;
  });
  const x = dims[0];
  const names = x ? rows.map((r) => String(x.labels?.[String(r[x.key])] ?? r[x.key] ?? '')) : [];
  const series = (type: string) => ms.map((m) => ({ name: m.label, type, data: rows.map((r) => r[m.key] ?? null) }));
  let option: Record<string, unknown>;
  if (chartType === 'chart.pie' || chartType === 'chart.donut') {
    const m = ms[0];
    option = { tooltip: { trigger: 'item' }, legend: {}, series: [{ type: 'pie', name: m?.label, data: rows.map((r, i) => ({ name: names[i], value: m ? r[m.key] : null })) }] };
  } else if (chartType === 'chart.line' || chartType === 'chart.bar' || chartType === 'chart.stacked_bar') {
    const type = chartType === 'chart.line' ? 'line' : 'bar';
    const s = series(type).map((x) => (chartType === 'chart.stacked_bar' ? { ...x, stack: 'total' } : x));
    option = { tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: names, name: x?.label }, yAxis: { type: 'value' }, series: x ? s : [] };
  } else {
    option = { columns: [...dims, ...ms].map((c) => ({ key: c.key, title: c.label })) };
  }
  const kind = ['chart.pie', 'chart.donut', 'chart.line', 'chart.bar', 'chart.stacked_bar'].includes(chartType) ? chartType : 'chart.table';
  return { report: 'preview', columns: [...dims, ...ms], rows, truncated: false, source: 'raw', cached: false, chart: { type: kind, option } };
}
