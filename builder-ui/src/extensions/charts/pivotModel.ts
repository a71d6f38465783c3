import type { ReportColumn, ReportResult, ResultRow } from '../../dashboards/api';
import { categoryValues, dimensionColumns, keyText, measureColumns } from './shared';

/**
 * A pivot table built from a result (engine/report chart_pivot.go): some
 * dimensions down the side, the others across the top, measures in the
 * cells. Subtotals come from the server, aggregated exactly: the rows of
 * level L are grouped by the first L dimensions of the report. A cell is
 * filled when some level groups by exactly the dimensions the cell fixes
 * (a row's prefix plus a column's values); otherwise it stays empty rather
 * than being added up in the browser, which would be wrong for averages,
 * distinct counts and ratios.
 */

/** One line of the pivot: a data row, a subtotal of a row prefix, or the grand total. */
export interface PivotLine {
  key: string;
  kind: 'data' | 'subtotal' | 'total';
  /** How many row dimensions the line fixes (0 for the grand total). */
  depth: number;
  /** The fixed row dimensions' values, in row dimension order. */
  values: unknown[];
}

/** A column combination: one value per column dimension. */
export interface PivotColumn {
  key: string;
  values: unknown[];
}

export interface PivotModel {
  rowDims: ReportColumn[];
  colDims: ReportColumn[];
  measures: ReportColumn[];
  columns: PivotColumn[];
  lines: PivotLine[];
  /** Whether a total column (per measure, across all column values) has values. */
  totalColumn: boolean;
  /** The cell of a line and a column (undefined: the total column), by measure key. */
  cell(line: PivotLine, column: PivotColumn | undefined): ResultRow | undefined;
  /** The dimension values a cell fixes, for drilling. */
  fixed(line: PivotLine, column: PivotColumn | undefined): Record<string, unknown>;
}

function names(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

/** Builds the pivot of a result with the option's rows, columns and values. */
export function buildPivot(r: ReportResult, option: Record<string, unknown>): PivotModel {
  const dims = dimensionColumns(r);
  const byKey = new Map(dims.map((d) => [d.key, d]));
  let rowKeys = names(option.rows);
  let colKeys = names(option.columns);
  if (!rowKeys && !colKeys) {
    rowKeys = dims.length > 1 ? dims.slice(0, -1).map((d) => d.key) : dims.map((d) => d.key);
    colKeys = dims.length > 1 ? dims.slice(-1).map((d) => d.key) : [];
  }
  const rowDims = (rowKeys ?? []).map((k) => byKey.get(k)).filter((d): d is ReportColumn => !!d);
  const colDims = (colKeys ?? []).map((k) => byKey.get(k)).filter((d): d is ReportColumn => !!d);
  const valueKeys = names(option.values);
  const allMeasures = measureColumns(r);
  const measures = valueKeys ? allMeasures.filter((m) => valueKeys.includes(m.key)) : allMeasures;

  // Every level's rows indexed by the values of the dimensions it groups by.
  const levels = new Map<string, Map<string, ResultRow>>();
  const levelKey = (keys: string[]) => [...keys].sort().join('\u0001');
  const rowKey = (keys: string[], row: Record<string, unknown>) => [...keys].sort().map((k) => keyText(row[k])).join('\u0001');
  const index = (keys: string[], rows: ResultRow[]) => {
    const m = new Map<string, ResultRow>();
    for (const row of rows) m.set(rowKey(keys, row), row);
    levels.set(levelKey(keys), m);
  };
  index(
    dims.map((d) => d.key),
    r.rows,
  );
  for (const st of r.subtotals ?? []) {
    const keys = dims.slice(0, st.level).map((d) => d.key);
    if (!levels.has(levelKey(keys))) index(keys, st.rows);
  }

  const fixed = (line: PivotLine, column: PivotColumn | undefined): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    rowDims.slice(0, line.depth).forEach((d, i) => (out[d.key] = line.values[i] ?? null));
    if (column) colDims.forEach((d, i) => (out[d.key] = column.values[i] ?? null));
    return out;
  };
  const cell = (line: PivotLine, column: PivotColumn | undefined) => {
    const f = fixed(line, column);
    const keys = Object.keys(f);
    return levels.get(levelKey(keys))?.get(rowKey(keys, f));
  };

  // Column combinations in row order.
  const columns: PivotColumn[] = [];
  if (colDims.length > 0) {
    const seen = new Set<string>();
    for (const row of r.rows) {
      const values = colDims.map((d) => row[d.key] ?? null);
      const key = values.map(keyText).join('\u0001');
      if (!seen.has(key)) {
        seen.add(key);
        columns.push({ key, values });
      }
    }
  }

  // Row lines grouped by their prefixes (first-seen order), each group closed by its subtotal.
  const lines: PivotLine[] = [];
  const walk = (depth: number, prefix: unknown[], rows: ResultRow[]) => {
    const d = rowDims[depth];
    if (!d) {
      lines.push({ key: `d:${prefix.map(keyText).join('\u0001')}`, kind: 'data', depth, values: prefix });
      return;
    }
    const sub: ReportResult = { ...r, rows };
    for (const v of categoryValues(sub, d.key)) {
      const inGroup = rows.filter((row) => keyText(row[d.key] ?? null) === keyText(v));
      walk(depth + 1, [...prefix, v], inGroup);
    }
    if (depth > 0) {
      const line: PivotLine = { key: `s:${prefix.map(keyText).join('\u0001')}`, kind: 'subtotal', depth, values: prefix };
      if (cell(line, undefined) || columns.some((c) => cell(line, c))) lines.push(line);
    }
  };
  walk(0, [], r.rows);
  const total: PivotLine = { key: 'total', kind: 'total', depth: 0, values: [] };
  if (rowDims.length > 0 && (cell(total, undefined) || columns.some((c) => cell(total, c)))) lines.push(total);

  const totalColumn = columns.length > 0 && lines.some((l) => cell(l, undefined) !== undefined);
  return { rowDims, colDims, measures, columns, lines, totalColumn, cell, fixed };
}
