import type { FieldDef, FilterJson, FormSpec } from '../../api/formTypes';
import type { LocalizedText } from '../../api/types';
import { patched } from '../patch';
import { isPairOp } from './shape';

/** The report format (engine/meta/schemas/report.json), the parts the designer edits. */
export interface Dimension {
  /** The field grouped by; empty for a pairs dimension. */
  field?: string;
  bucket?: string;
  bins?: (number | string)[];
  quantiles?: number;
  as?: string;
  label?: LocalizedText;
  /** Pairs of a sub-table column's values held together in one record (shape.ts); "as" names the first value's output, "with" the second's. */
  pairs?: { subtable: string; field: string; with?: string; withLabel?: LocalizedText };
}

export interface Measure {
  op: 'count' | 'sum' | 'avg' | 'min' | 'max' | 'countDistinct' | 'formula' | 'baskets' | 'support' | 'confidence' | 'confidenceBA' | 'lift';
  field?: string;
  filter?: FilterJson;
  formula?: string;
  as?: string;
  label?: LocalizedText;
  format?: 'number' | 'money' | 'percent';
  decimals?: number;
  cumulative?: boolean;
  /** countDistinct only: count a value when it has at least this many rows (repeat buyers: 2). */
  minRows?: number;
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
  /** Each row one record (shape.ts). */
  list?: boolean;
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
  if (d.pairs) return `${d.pairs.field}A`;
  let k = (d.field ?? '').replace(/\./g, '_');
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

/** A report's parameter values by key, as runReport takes them. */
export type ParameterValues = Record<string, unknown>;

/**
 * Whether a spec is complete enough to preview: a form and at least one
 * measure, and every dimension and measure naming what it needs (a field,
 * a formula). The server checks everything else and answers with paths.
 */
export function previewable(spec: ReportSpec): boolean {
  if (!spec.dataset?.form || spec.measures.length === 0) return false;
  if ((spec.dimensions ?? []).some((d) => (d.pairs ? !d.pairs.subtable || !d.pairs.field : !d.field))) return false;
  return spec.measures.every((m) => (m.op === 'formula' ? !!m.formula?.trim() : m.op === 'count' || isPairOp(m.op) || !!m.field));
}

/**
 * The body of POST /api/apps/:app/reports/preview: the spec being edited,
 * run by the report engine as it will run once published. Parameters
 * without a value are left out (they take their defaults).
 */
export function previewBody(key: string, spec: ReportSpec, parameters: ParameterValues = {}): { key: string; spec: ReportSpec; parameters?: ParameterValues } {
  const given = Object.fromEntries(Object.entries(parameters).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  return Object.keys(given).length > 0 ? { key, spec, parameters: given } : { key, spec };
}
