import type { FieldDef, FormSpec } from '../../api/formTypes';
import type { Dimension, Measure, ReportSpec } from './model';

/**
 * The two report shapes beyond groups of rows (engine/report pairs.go and
 * list.go), as the designer offers them: a pairs dimension (the values of
 * a sub-table text column bought together: 品类组合) measured by the five
 * pair measures, and a record list (each row one record). Each setter
 * leaves out what the server refuses with it, so the designer never
 * offers a combination it would answer with report.pairs_option or
 * report.list.
 */

/** The pair measures, in the order the designer lists them. */
export const PAIR_OPS = ['baskets', 'support', 'confidence', 'confidenceBA', 'lift'] as const;
export type PairOp = (typeof PAIR_OPS)[number];

/** Whether a measure op is one of the pair measures. */
export function isPairOp(op: string): op is PairOp {
  return (PAIR_OPS as readonly string[]).includes(op);
}

/** A sub-table of the dataset's form and the columns a pairs dimension can pair. */
export interface PairSource {
  subtable: FieldDef;
  columns: FieldDef[];
}

/** Column types stored as one text value (engine/form Stored: KindString, not an array). */
const TEXT_TYPES = new Set(['text', 'select', 'email', 'phone', 'barcode', 'idcard', 'autonumber']);
const REF_TYPES = new Set(['relation', 'user', 'orgunit']);

/** Whether a sub-table column holds one text value (what the server pairs). */
export function isTextColumn(f: FieldDef): boolean {
  if (TEXT_TYPES.has(f.type)) return true;
  if (REF_TYPES.has(f.type)) return f.multiple !== true;
  return f.type === 'formula' && f.resultType === 'text';
}

/** The sub-tables of the report's form with at least one text column. */
export function pairSources(spec: ReportSpec, forms: ReadonlyMap<string, FormSpec>): PairSource[] {
  const base = forms.get(spec.dataset.form);
  return (base?.fields ?? [])
    .filter((f) => f.type === 'subtable')
    .map((f) => ({ subtable: f, columns: (f.fields ?? []).filter(isTextColumn) }))
    .filter((s) => s.columns.length > 0);
}

/** The report's pairs dimension and its index, if it has one. */
export function pairsDimension(spec: ReportSpec): { index: number; dim: Dimension } | undefined {
  const dims = spec.dimensions ?? [];
  const index = dims.findIndex((d) => d.pairs !== undefined);
  return index < 0 ? undefined : { index, dim: dims[index]! };
}

/** Whether the report is a pairs report. */
export function isPairsSpec(spec: ReportSpec): boolean {
  return pairsDimension(spec) !== undefined;
}

/** What the server refuses beside a pairs dimension or a list (pairs.go checkPairs, list.go compileList). */
const EXCLUSIVE = ['others', 'compare', 'segments', 'subtotals', 'totals', 'rollup'] as const;

function without(spec: ReportSpec, keys: readonly string[]): ReportSpec {
  const out: ReportSpec = { ...spec };
  for (const k of keys) delete out[k];
  return out;
}

/**
 * Makes the report a pairs report over a sub-table column: the pairs
 * dimension alone, its measures the pair measures and formulas already
 * there (baskets, support, confidence and lift when none), a sort by a
 * measure kept, no list, totals, others or comparisons.
 */
export function setPairs(spec: ReportSpec, src: PairSource): ReportSpec {
  const col = src.columns[0]!;
  const dim: Dimension = { pairs: { subtable: src.subtable.key, field: col.key, with: `${col.key}B` }, as: `${col.key}A` };
  const kept = spec.measures.filter((m) => m.op === 'formula' || isPairOp(m.op));
  const measures: Measure[] = kept.some((m) => isPairOp(m.op)) ? kept : [{ op: 'baskets' }, { op: 'support' }, { op: 'confidence' }, { op: 'lift' }, ...kept];
  const out = without(spec, [...EXCLUSIVE, 'list']);
  return { ...out, dimensions: [dim], measures, sort: '-baskets' };
}

/** Back to a grouped report: the pairs dimension and pair measures go, a count stays. */
export function clearPairs(spec: ReportSpec): ReportSpec {
  const measures = spec.measures.filter((m) => !isPairOp(m.op) && m.op !== 'formula');
  const out: ReportSpec = { ...spec, dimensions: (spec.dimensions ?? []).filter((d) => d.pairs === undefined), measures: measures.length > 0 ? measures : [{ op: 'count' }] };
  delete out.sort;
  return out;
}

/** Changes the pairs dimension (sub-table, column, output names). */
export function updatePairs(spec: ReportSpec, patch: { subtable?: string; field?: string; as?: string; with?: string }, sources: PairSource[]): ReportSpec {
  const at = pairsDimension(spec);
  if (!at?.dim.pairs) return spec;
  const pairs = { ...at.dim.pairs };
  if (patch.subtable !== undefined && patch.subtable !== pairs.subtable) {
    pairs.subtable = patch.subtable;
    // A column of the new sub-table: its first text column.
    const src = sources.find((s) => s.subtable.key === patch.subtable);
    pairs.field = src?.columns[0]?.key ?? '';
  }
  if (patch.field !== undefined) pairs.field = patch.field;
  if (patch.with !== undefined) pairs.with = patch.with || undefined;
  const dim: Dimension = { ...at.dim, pairs };
  if (patch.as !== undefined) dim.as = patch.as || undefined;
  return { ...spec, dimensions: (spec.dimensions ?? []).map((d, i) => (i === at.index ? dim : d)) };
}

/** The pair measures a pairs report does not have yet (the measure picker's choices). */
export function missingPairOps(spec: ReportSpec): PairOp[] {
  const have = new Set(spec.measures.map((m) => m.op));
  return PAIR_OPS.filter((op) => !have.has(op));
}

/**
 * Turns the record list on or off. A list shows field values: dimensions
 * lose their date buckets, bins and quantiles, and totals, others and
 * comparisons go (the server refuses them in a list).
 */
export function setList(spec: ReportSpec, on: boolean): ReportSpec {
  if (!on) {
    const out = { ...spec };
    delete out.list;
    return out;
  }
  const dims = (spec.dimensions ?? []).map((d) => {
    const plain: Dimension = { ...d };
    delete plain.bucket;
    delete plain.bins;
    delete plain.quantiles;
    return plain;
  });
  return { ...without(spec, EXCLUSIVE), list: true, dimensions: dims };
}
