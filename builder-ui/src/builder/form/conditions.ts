import type { FilterJson } from '../../api/formTypes';
import { fenToYuan } from '../../format/money';
import { newId, type BuilderOp, type Condition, type FilterField, type Group } from '../../records/filter/model';

/**
 * Reads a stored condition (a field's visibleWhen or requiredWhen, a
 * workflow guard) back into the runtime filter builder's tree, so the
 * designer edits conditions with the same builder and the same semantics
 * as list filters (records/filter/toFilter.ts writes them). Returns
 * undefined for filters the builder cannot show (then the designer offers
 * to replace them).
 */
export function filterToGroup(filter: FilterJson | undefined, fields: readonly FilterField[]): Group | undefined {
  const root: Group = { type: 'group', id: newId(), conj: 'and', items: [] };
  if (!filter || Object.keys(filter).length === 0) return root;
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const items = parseParts(filter, byPath);
  if (!items) return undefined;
  // A lone $or becomes the root group itself.
  const only = items[0];
  if (items.length === 1 && only?.type === 'group') return only;
  root.items = items;
  return root;
}

type Item = Condition | Group;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The parts of one filter object (its keys are ANDed). */
function parseParts(filter: Record<string, unknown>, fields: Map<string, FilterField>): Item[] | undefined {
  const out: Item[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' || k === '$or') {
      if (!Array.isArray(v)) return undefined;
      const items: Item[] = [];
      for (const part of v) {
        if (!isObject(part)) return undefined;
        const p = parseParts(part, fields);
        if (!p) return undefined;
        items.push(p.length === 1 ? p[0]! : { type: 'group', id: newId(), conj: 'and', items: p });
      }
      out.push({ type: 'group', id: newId(), conj: k === '$and' ? 'and' : 'or', items });
      continue;
    }
    if (k === '$not') {
      // Only the builder's "does not contain".
      if (!isObject(v)) return undefined;
      const [path, cond] = Object.entries(v)[0] ?? [];
      const f = path ? fields.get(path) : undefined;
      if (!f || Object.keys(v).length !== 1 || !isObject(cond) || Object.keys(cond).length !== 1 || !('$contains' in cond)) return undefined;
      out.push(condition(f, 'notContains', editorValue(f, cond.$contains)));
      continue;
    }
    if (k.startsWith('$')) return undefined;
    const f = fields.get(k);
    if (!f) return undefined;
    const c = parseCondition(f, v);
    if (!c) return undefined;
    out.push(c);
  }
  return out;
}

function condition(f: FilterField, op: BuilderOp, value?: unknown): Condition {
  const c: Condition = { type: 'condition', id: newId(), field: f.path, op };
  if (value !== undefined) c.value = value;
  return c;
}

/** A stored value as the builder's value editors hold it: money in yuan, numbers as text. */
function editorValue(f: FilterField, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => editorValue(f, x));
  if (f.valueType === 'money' && (typeof v === 'number' || typeof v === 'string')) return fenToYuan(v);
  if ((f.valueType === 'int' || f.valueType === 'decimal') && typeof v === 'number') return String(v);
  return v;
}

function parseCondition(f: FilterField, v: unknown): Condition | undefined {
  if (!isObject(v)) {
    if (f.valueType === 'bool' && v === true) return condition(f, 'isTrue');
    if (f.array) return condition(f, 'contains', editorValue(f, v));
    return condition(f, 'eq', editorValue(f, v));
  }
  const ops = Object.keys(v);
  if (ops.length === 1) {
    const op = ops[0]!;
    const val = v[op];
    switch (op) {
      case '$exists':
        return condition(f, val ? 'notEmpty' : 'empty');
      case '$eq':
        if (f.valueType === 'bool' && val === true) return condition(f, 'isTrue');
        return condition(f, 'eq', editorValue(f, val));
      case '$ne':
        if (f.valueType === 'bool' && val === true) return condition(f, 'isFalse');
        return condition(f, 'ne', editorValue(f, val));
      case '$in':
      case '$nin':
        return Array.isArray(val) ? condition(f, op === '$in' ? 'in' : 'nin', editorValue(f, val)) : undefined;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
      case '$contains':
      case '$startsWith':
        if (f.kind === 'time') return undefined;
        return condition(f, op.slice(1) as BuilderOp, editorValue(f, val));
    }
    return undefined;
  }
  if (ops.length === 2 && '$gte' in v && '$lte' in v && f.kind !== 'time') {
    return condition(f, 'between', [editorValue(f, v.$gte), editorValue(f, v.$lte)]);
  }
  return undefined;
}
