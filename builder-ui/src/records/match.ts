import { compareDecimal } from './decimal';
import type { Kind } from './stored';

/** The kind of a filterable path of the form, or undefined for an unknown path. */
export type KindOf = (path: string) => { kind: Kind; array?: boolean } | undefined;

/** Shanghai has kept +08:00 all year since 1992; date-only times mean midnight there, as on the server. */
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/** A time constant in the server's canonical text, or undefined. */
export function canonicalTime(s: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const ms = Date.UTC(y, m - 1, d) - SHANGHAI_OFFSET_MS;
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function lookup(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const isNull = (v: unknown) => v === undefined || v === null;

/** A filter constant read for the field's kind (times made canonical). */
function constant(v: unknown, kind: Kind): unknown {
  if (kind === 'time' && typeof v === 'string') return canonicalTime(v) ?? v;
  return v;
}

/** Orders a stored value against a constant; undefined when they are not comparable. */
function compare(e: unknown, c: unknown, kind: Kind): number | undefined {
  if (isNull(e) || isNull(c)) return undefined;
  switch (kind) {
    case 'int':
    case 'decimal':
      return compareDecimal(e, c);
    case 'bool':
      if (typeof e !== 'boolean' || typeof c !== 'boolean') return undefined;
      return e === c ? 0 : e ? 1 : -1;
  }
  if (typeof e !== 'string' || typeof c !== 'string') return undefined;
  return e < c ? -1 : e > c ? 1 : 0;
}

function elementsOf(v: unknown): unknown[] {
  if (isNull(v)) return [];
  return Array.isArray(v) ? v : [v];
}

function equalsAny(elems: unknown[], whole: unknown, c: unknown, kind: Kind): boolean {
  if (isNull(c)) return isNull(whole);
  return elems.some((e) => compare(e, c, kind) === 0);
}

function leaf(op: string, arg: unknown, whole: unknown, kind: Kind, array: boolean): boolean {
  const elems = elementsOf(whole);
  switch (op) {
    case '$eq':
      return equalsAny(elems, whole, constant(arg, kind), kind);
    case '$ne':
      return !equalsAny(elems, whole, constant(arg, kind), kind);
    case '$in':
    case '$nin': {
      const list = Array.isArray(arg) ? arg : [];
      const hit = list.some((c) => equalsAny(elems, whole, constant(c, kind), kind));
      return hit === (op === '$in');
    }
    case '$exists':
      return arg === !isNull(whole);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const c = constant(arg, kind);
      return elems.some((e) => {
        const r = compare(e, c, kind);
        if (r === undefined) return false;
        return op === '$gt' ? r > 0 : op === '$gte' ? r >= 0 : op === '$lt' ? r < 0 : r <= 0;
      });
    }
    case '$contains':
      if (array) return !isNull(arg) && equalsAny(elems, whole, constant(arg, kind), kind);
      return typeof whole === 'string' && typeof arg === 'string' && whole.includes(arg);
    case '$startsWith':
      return typeof whole === 'string' && typeof arg === 'string' && whole.startsWith(arg);
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The conditions on one field: a constant (equality) or an object of operators, ANDed. */
function condition(path: string, cond: unknown, doc: Record<string, unknown>, kindOf: KindOf): boolean {
  const shape = kindOf(path);
  if (!shape) return false;
  const whole = lookup(doc, path);
  if (!isPlainObject(cond)) return leaf('$eq', cond, whole, shape.kind, !!shape.array);
  return Object.entries(cond).every(([op, arg]) => leaf(op, arg, whole, shape.kind, !!shape.array));
}

/**
 * Whether a record (its stored shape: money in fen, times canonical UTC)
 * meets a filter, with the semantics of the server's form.Match: a
 * missing field is null, ne/nin/not match null, ordering never does, on a
 * list any element matches, and an empty $or is false. visibleWhen and
 * requiredWhen are evaluated with it as the user types, so the form shows
 * and requires exactly what the server will.
 */
export function matchFilter(filter: unknown, doc: Record<string, unknown>, kindOf: KindOf): boolean {
  if (isNull(filter)) return true;
  if (!isPlainObject(filter)) return false;
  return Object.entries(filter).every(([key, val]) => {
    if (key === '$and' || key === '$or') {
      const list = Array.isArray(val) ? val : [];
      return key === '$and' ? list.every((f) => matchFilter(f, doc, kindOf)) : list.some((f) => matchFilter(f, doc, kindOf));
    }
    if (key === '$not') return !matchFilter(val, doc, kindOf);
    if (key.startsWith('$')) return false;
    return condition(key, val, doc, kindOf);
  });
}
