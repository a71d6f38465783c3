import type { DrillCell, ReportColumn, ReportResult } from '../../dashboards/api';

/**
 * Helpers the chart renderers share: a result's dimension and measure
 * columns, and a dimension's distinct values in row order, the order the
 * server's chart options list categories and series in (engine/report
 * chart.go categories), so a clicked index maps back to its value.
 */

export function dimensionColumns(r: ReportResult): ReportColumn[] {
  return r.columns.filter((c) => c.role === 'dimension');
}

export function measureColumns(r: ReportResult): ReportColumn[] {
  return r.columns.filter((c) => c.role === 'measure');
}

/**
 * The measure a series plots, by its name (the server names series after
 * their measure's label); with a single measure, that one. undefined when
 * it cannot be told, and drilling then leaves the measure's own filter out.
 */
export function seriesMeasure(r: ReportResult, name: unknown): string | undefined {
  const ms = measureColumns(r);
  return (ms.find((m) => m.label === name) ?? (ms.length === 1 ? ms[0] : undefined))?.key;
}

/** A drill cell with the measure whose records it opens, when known. */
export function withMeasure(cell: DrillCell, measure: string | undefined): DrillCell {
  return measure ? { ...cell, measure } : cell;
}

/** Identifies a dimension value in lookups (null apart from "null"). */
export function keyText(v: unknown): string {
  return v === null || v === undefined ? '\u0000null' : String(v);
}

/** A dimension's distinct values in row order. */
export function categoryValues(r: ReportResult, dim: string): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const row of r.rows) {
    const v = row[dim] ?? null;
    const k = keyText(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/**
 * A dimension's values in axis order: a date bucket's keys sort in their
 * natural order (days, months, "00".."23" hours, "1".."7" weekdays), other
 * values keep the row order the report's sort gave them.
 */
export function axisValues(r: ReportResult, dim: ReportColumn): unknown[] {
  const vals = categoryValues(r, dim.key);
  if (!dim.bucket) return vals;
  return [...vals].sort((a, b) => (a === null ? 1 : b === null ? -1 : String(a).localeCompare(String(b), 'en', { numeric: true })));
}

/** Buckets the records list cannot select by (the server refuses to drill into them). */
const CYCLIC = new Set(['hourOfDay', 'dayOfWeek']);

/** Whether a cell over these dimensions can be opened as records. */
export function drillable(dims: ReportColumn[]): boolean {
  return dims.every((d) => !d.bucket || !CYCLIC.has(d.bucket));
}

/** The cell of one row: every dimension's value (undefined when a dimension cannot be drilled). */
export function rowCell(r: ReportResult, row: Record<string, unknown>): DrillCell | undefined {
  const dims = dimensionColumns(r);
  if (!drillable(dims)) return undefined;
  return { cell: Object.fromEntries(dims.map((d) => [d.key, row[d.key] ?? null])) };
}

/** A plain object of an option's part, or an empty one. */
export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** An array part of an option, or an empty one. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
