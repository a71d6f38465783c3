import type { DrillCell, ReportColumn, ReportResult } from '../../dashboards/api';

/**
 * What kind of rows a result holds, read from its columns (the server's
 * result carries no flag): a record list ("list": true, engine/report
 * list.go) has the record id output "_record"; a pairs result
 * (pairs.go) has two dimensions over the same sub-table column, the
 * pair's two values. Outputs named with a leading underscore are the
 * server's own (the record id) and are never shown.
 */

/** The output holding a list row's record id. */
export const RECORD_OUTPUT = '_record';

/** Whether a column is the server's own (the record id), not for people. */
export function isInternalColumn(c: { key: string }): boolean {
  return c.key.startsWith('_');
}

/** The columns people read: the result's, internal ones left out. */
export function visibleColumns<C extends { key: string }>(cols: C[]): C[] {
  return cols.filter((c) => !isInternalColumn(c));
}

/** Whether each row of the result is one record (a record list). */
export function isRecordList(r: ReportResult): boolean {
  return r.columns.some((c) => c.key === RECORD_OUTPUT);
}

/**
 * Whether the result is a pairs result: two plain dimensions over the
 * same field (one sub-table column, its values paired). The server
 * refuses to drill into a pair (report.pairs_drill).
 */
export function isPairsResult(r: ReportResult): boolean {
  const dims = r.columns.filter((c: ReportColumn) => c.role === 'dimension' && !c.bucket && c.field);
  return dims.length === 2 && dims[0]!.field === dims[1]!.field;
}

/** Whether cells of the result can be opened as records at all. */
export function canDrill(r: ReportResult): boolean {
  return !isPairsResult(r);
}

/** The record id a drill cell opens (a record list's row), if it names one. */
export function drillRecordId(cell: DrillCell): string | undefined {
  const id = cell.cell[RECORD_OUTPUT];
  if (cell.others || (typeof id !== 'string' && typeof id !== 'number') || id === '') return undefined;
  return String(id);
}
