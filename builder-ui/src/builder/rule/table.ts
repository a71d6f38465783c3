import type { LocalizedText } from '../../api/types';
import { patched } from '../patch';

/**
 * The decision table designer's model (engine/meta/schemas/rule.json):
 * typed columns, rows of cells, and the conversions between a cell as the
 * rule stores it and as its editor shows it.
 */
export type ColumnType = 'string' | 'int' | 'decimal' | 'date' | 'datetime' | 'bool' | 'list';

export const COLUMN_TYPES: readonly ColumnType[] = ['string', 'int', 'decimal', 'date', 'datetime', 'bool', 'list'];

export interface Column {
  key: string;
  type: ColumnType;
  label?: LocalizedText;
  description?: LocalizedText;
  options?: string[];
  /** Inputs: an evaluation without it is refused. */
  required?: boolean;
  /** Outputs: the value without a matching row. */
  default?: unknown;
}

export type Cell = string | number | boolean | Record<string, unknown>;

export interface Row {
  when: Record<string, Cell>;
  then: Record<string, unknown>;
  priority?: number;
  validFrom?: string;
  validTo?: string;
  note?: string;
}

export type HitPolicy = 'first' | 'priority' | 'collect' | 'sum';

export interface RuleSpec {
  title: LocalizedText;
  description?: LocalizedText;
  hitPolicy: HitPolicy;
  timeZone?: string;
  inputs: Column[];
  outputs: Column[];
  rows: Row[];
}

/** A cell as its editor holds it: values as typed text. */
export type CellModel =
  | { kind: 'any' }
  | { kind: 'eq'; value: string }
  | { kind: 'ne'; value: string }
  | { kind: 'in'; values: string[] }
  | { kind: 'nin'; values: string[] }
  | { kind: 'range'; min?: string; minOpen?: boolean; max?: string; maxOpen?: boolean }
  /** written as a constant (plain), as $contains of one string (one), or of a list */
  | { kind: 'contains'; values: string[]; form?: 'plain' | 'one' }
  /** A combination the editors do not offer (kept as written). */
  | { kind: 'raw'; cell: Cell };

export type CellKind = CellModel['kind'];

/** The editors a column type offers. */
export function cellKinds(type: ColumnType): CellKind[] {
  switch (type) {
    case 'list':
      return ['any', 'contains', 'in', 'nin'];
    case 'bool':
      return ['any', 'eq'];
    case 'string':
      return ['any', 'eq', 'ne', 'in', 'nin'];
  }
  return ['any', 'eq', 'ne', 'range', 'in', 'nin'];
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.map(text) : typeof v === 'string' ? [v] : []);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a stored cell (undefined: the column is left out, any value). */
export function parseCell(cell: Cell | undefined, type: ColumnType): CellModel {
  if (cell === undefined) return { kind: 'any' };
  if (!isObject(cell)) return type === 'list' ? { kind: 'contains', values: [text(cell)], form: 'plain' } : { kind: 'eq', value: text(cell) };
  const ops = Object.keys(cell);
  if (ops.length === 1) {
    const [op] = ops;
    const v = cell[op!];
    switch (op) {
      case '$eq':
        if (type !== 'list') return { kind: 'eq', value: text(v) };
        break;
      case '$ne':
        if (type !== 'list') return { kind: 'ne', value: text(v) };
        break;
      case '$in':
        return { kind: 'in', values: texts(v) };
      case '$nin':
        return { kind: 'nin', values: texts(v) };
      case '$contains':
        return typeof v === 'string' ? { kind: 'contains', values: [v], form: 'one' } : { kind: 'contains', values: texts(v) };
    }
  }
  if (type !== 'list' && type !== 'bool' && type !== 'string' && ops.length > 0 && ops.every((o) => ['$gt', '$gte', '$lt', '$lte'].includes(o))) {
    if (('$gt' in cell && '$gte' in cell) || ('$lt' in cell && '$lte' in cell)) return { kind: 'raw', cell };
    const m: CellModel = { kind: 'range' };
    if ('$gt' in cell) Object.assign(m, { min: text(cell.$gt), minOpen: true });
    if ('$gte' in cell) m.min = text(cell.$gte);
    if ('$lt' in cell) Object.assign(m, { max: text(cell.$lt), maxOpen: true });
    if ('$lte' in cell) m.max = text(cell.$lte);
    return m;
  }
  return { kind: 'raw', cell };
}

/** Whether text is a value of the type (as the server reads cells). */
export function validValue(type: ColumnType, v: string): boolean {
  switch (type) {
    case 'int':
      return /^-?\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v));
    case 'decimal':
      return /^-?\d+(\.\d+)?$/.test(v.trim());
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
    case 'datetime':
      return /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) && !Number.isNaN(Date.parse(v));
    case 'bool':
      return v === 'true' || v === 'false';
  }
  return v !== '';
}

/** A typed text as JSON: integers as numbers, decimals as exact strings, yes/no as booleans. */
export function toJsonValue(type: ColumnType, v: string): string | number | boolean {
  if (type === 'int') return Number(v.trim());
  if (type === 'decimal') return v.trim();
  if (type === 'bool') return v === 'true';
  return v;
}

/** The values of a cell that are not of the column's type. */
export function badValues(m: CellModel, type: ColumnType): string[] {
  const scalar = type === 'list' ? 'string' : type;
  const vals = m.kind === 'eq' || m.kind === 'ne' ? [m.value] : m.kind === 'in' || m.kind === 'nin' || m.kind === 'contains' ? m.values : m.kind === 'range' ? [m.min, m.max].filter((x): x is string => x !== undefined && x !== '') : [];
  if ((m.kind === 'in' || m.kind === 'nin' || m.kind === 'contains') && vals.length === 0) return [''];
  if (m.kind === 'range' && vals.length === 0) return [''];
  return vals.filter((v) => !validValue(scalar, v));
}

/** A cell model as the rule stores it; undefined for any value (the column is left out). */
export function formatCell(m: CellModel, type: ColumnType): Cell | undefined {
  const one = (v: string) => toJsonValue(type === 'list' ? 'string' : type, v);
  switch (m.kind) {
    case 'any':
      return undefined;
    case 'eq':
      return one(m.value);
    case 'ne':
      return { $ne: one(m.value) };
    case 'in':
      return { $in: m.values.map(one) };
    case 'nin':
      return { $nin: m.values.map(one) };
    case 'contains':
      if (m.values.length === 1 && m.form === 'plain') return m.values[0]!;
      if (m.values.length === 1 && m.form === 'one') return { $contains: m.values[0]! };
      return { $contains: m.values };
    case 'range': {
      const out: Record<string, unknown> = {};
      if (m.min !== undefined && m.min !== '') out[m.minOpen ? '$gt' : '$gte'] = one(m.min);
      if (m.max !== undefined && m.max !== '') out[m.maxOpen ? '$lt' : '$lte'] = one(m.max);
      return Object.keys(out).length > 0 ? out : undefined;
    }
    case 'raw':
      return m.cell;
  }
}

/** One line describing a cell in the grid. */
export function cellText(m: CellModel): string {
  switch (m.kind) {
    case 'any':
      return '—';
    case 'eq':
      return m.value;
    case 'ne':
      return `≠ ${m.value}`;
    case 'in':
      return m.values.join(', ');
    case 'nin':
      return `∉ ${m.values.join(', ')}`;
    case 'contains':
      return `∋ ${m.values.join(' + ')}`;
    case 'range': {
      const lo = m.min !== undefined && m.min !== '';
      const hi = m.max !== undefined && m.max !== '';
      if (lo && hi) return `${m.minOpen ? '(' : '['}${m.min} ~ ${m.max}${m.maxOpen ? ')' : ']'}`;
      if (lo) return `${m.minOpen ? '>' : '≥'} ${m.min}`;
      if (hi) return `${m.maxOpen ? '<' : '≤'} ${m.max}`;
      return '—';
    }
    case 'raw':
      return JSON.stringify(m.cell);
  }
}

/** An output value as its editor shows it (lists as their items). */
export function outputText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(text).join(', ');
  return text(v);
}

/** An output typed in the grid as the rule stores it; undefined when left blank (the default applies). */
export function parseOutput(type: ColumnType, input: string): unknown {
  if (type === 'list') {
    const items = input
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean);
    return input.trim() === '' ? undefined : items;
  }
  if (input.trim() === '') return undefined;
  return toJsonValue(type, input.trim());
}

/** Sets or clears (undefined) one cell of a row: an input's (when) or an output's (then). */
function setPart(spec: RuleSpec, row: number, part: 'when' | 'then', key: string, value: unknown): RuleSpec {
  return {
    ...spec,
    rows: spec.rows.map((r, i) => {
      if (i !== row) return r;
      const cells: Record<string, unknown> = { ...r[part] };
      if (value === undefined) delete cells[key];
      else cells[key] = value;
      return { ...r, [part]: cells };
    }),
  };
}

/** Sets or clears one input cell of a row. */
export function setCell(spec: RuleSpec, row: number, key: string, cell: Cell | undefined): RuleSpec {
  return setPart(spec, row, 'when', key, cell);
}

/** Sets or clears one output of a row. */
export function setOutput(spec: RuleSpec, row: number, key: string, value: unknown): RuleSpec {
  return setPart(spec, row, 'then', key, value);
}

/** Changes a row's priority, validity or note (undefined removes one). */
export function updateRow(spec: RuleSpec, row: number, patch: Partial<Omit<Row, 'when' | 'then'>>): RuleSpec {
  return {
    ...spec,
    rows: spec.rows.map((r, i) => {
      return i === row ? patched<Row>(r, patch) : r;
    }),
  };
}

function move<T>(xs: readonly T[], from: number, to: number): T[] {
  if (from === to || from < 0 || from >= xs.length || to < 0 || to >= xs.length) return [...xs];
  const out = [...xs];
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x!);
  return out;
}

/** A new empty row (any input; outputs left to their defaults) at index (the end by default). */
export function addRow(spec: RuleSpec, at = spec.rows.length): RuleSpec {
  const row: Row = { when: {}, then: {} };
  // An output without a default needs a value in every row.
  for (const o of spec.outputs) if (o.default === undefined) row.then[o.key] = o.type === 'list' ? [] : o.type === 'bool' ? false : o.type === 'int' ? 0 : o.type === 'decimal' ? '0' : '';
  if (spec.hitPolicy === 'priority') row.priority = 0;
  const rows = [...spec.rows];
  rows.splice(Math.min(Math.max(at, 0), rows.length), 0, row);
  return { ...spec, rows };
}

export function removeRow(spec: RuleSpec, row: number): RuleSpec {
  return { ...spec, rows: spec.rows.filter((_r, i) => i !== row) };
}

export function duplicateRow(spec: RuleSpec, row: number): RuleSpec {
  const r = spec.rows[row];
  if (!r) return spec;
  const rows = [...spec.rows];
  rows.splice(row + 1, 0, structuredClone(r));
  return { ...spec, rows };
}

export function moveRow(spec: RuleSpec, from: number, to: number): RuleSpec {
  return { ...spec, rows: move(spec.rows, from, to) };
}

export type Side = 'inputs' | 'outputs';

/** A column key not used on either side. */
export function newColumnKey(spec: RuleSpec, base: string): string {
  const used = new Set([...spec.inputs, ...spec.outputs].map((c) => c.key));
  for (let n = 1; ; n++) if (!used.has(`${base}${n}`)) return `${base}${n}`;
}

/** Adds a column; a new output gets a default so existing rows stay valid. */
export function addColumn(spec: RuleSpec, side: Side, type: ColumnType = 'string'): RuleSpec {
  const key = newColumnKey(spec, side === 'inputs' ? 'input' : 'output');
  const col: Column = { key, type };
  if (side === 'outputs') col.default = type === 'list' ? [] : type === 'bool' ? false : type === 'int' ? 0 : type === 'decimal' ? '0' : '';
  return { ...spec, [side]: [...spec[side], col] };
}

/** Removes a column and its cells from every row. */
export function removeColumn(spec: RuleSpec, side: Side, key: string): RuleSpec {
  const part = side === 'inputs' ? 'when' : 'then';
  return {
    ...spec,
    [side]: spec[side].filter((c) => c.key !== key),
    rows: spec.rows.map((r) => {
      const cells = { ...r[part] };
      delete cells[key];
      return { ...r, [part]: cells };
    }),
  };
}

export function moveColumn(spec: RuleSpec, side: Side, from: number, to: number): RuleSpec {
  return { ...spec, [side]: move(spec[side], from, to) };
}

/** Changes a column; a new key is carried into every row's cells. */
export function updateColumn(spec: RuleSpec, side: Side, key: string, patch: Partial<Column>): RuleSpec {
  const part = side === 'inputs' ? 'when' : 'then';
  const to = patch.key ?? key;
  if (to !== key && [...spec.inputs, ...spec.outputs].some((c) => c.key === to)) return spec;
  const cols = spec[side].map((c) => (c.key === key ? patched(c, patch) : c));
  const rows =
    to === key
      ? spec.rows
      : spec.rows.map((r) => {
          if (!(key in r[part])) return r;
          const cells: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(r[part])) cells[k === key ? to : k] = v;
          return { ...r, [part]: cells };
        });
  return { ...spec, [side]: cols, rows } as RuleSpec;
}

/** Where a problem path of the rule points: a row, and a cell of it. */
export interface ProblemAt {
  row?: number;
  input?: string;
  output?: string;
  column?: { side: Side; index: number };
}

/** Locates a problem path (relative to the spec): rows[2].when.tier, rows[0].then.x, inputs[1].options. */
export function locate(path: string): ProblemAt {
  const row = /^rows\[(\d+)\](?:\.(when|then)\.([A-Za-z][A-Za-z0-9_]*))?/.exec(path);
  if (row) {
    const at: ProblemAt = { row: Number(row[1]) };
    if (row[2] === 'when') at.input = row[3]!;
    if (row[2] === 'then') at.output = row[3]!;
    return at;
  }
  const col = /^(inputs|outputs)\[(\d+)\]/.exec(path);
  if (col) return { column: { side: col[1] as Side, index: Number(col[2]) } };
  return {};
}
