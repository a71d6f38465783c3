/** One difference between two JSON values, at a path like fields[phone].label.en. */
export interface Change {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The name an array element is matched by across versions: its key (fields,
 * states, columns, menu items), its id (widgets, steps), or its trigger and
 * source (transitions). Elements without one are matched by position.
 */
function identity(v: Json): string | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.key === 'string') return v.key;
  if (typeof v.id === 'string') return v.id;
  if (typeof v.trigger === 'string') return `${v.trigger}:${JSON.stringify(v.from)}>${String(v.to)}`;
  return undefined;
}

function same(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffArrays(a: Json[], b: Json[], path: string, out: Change[]): void {
  const ids = (xs: Json[]) => xs.map(identity);
  const ia = ids(a);
  const ib = ids(b);
  const keyed = ia.every((k) => k !== undefined) && ib.every((k) => k !== undefined) && new Set(ia).size === ia.length && new Set(ib).size === ib.length;
  if (!keyed) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) walk(a[i], b[i], `${path}[${i}]`, out, i < a.length, i < b.length);
    return;
  }
  const before = new Map(a.map((v, i) => [ia[i] as string, v]));
  const after = new Map(b.map((v, i) => [ib[i] as string, v]));
  for (const [k, v] of before) if (!after.has(k)) out.push({ path: `${path}[${k}]`, kind: 'removed', before: v });
  for (const [k, v] of after) {
    if (!before.has(k)) out.push({ path: `${path}[${k}]`, kind: 'added', after: v });
    else walk(before.get(k), v, `${path}[${k}]`, out, true, true);
  }
  const common = ia.filter((k) => after.has(k as string));
  const commonAfter = ib.filter((k) => before.has(k as string));
  if (!same(common, commonAfter)) out.push({ path: `${path}.order`, kind: 'changed', before: common, after: commonAfter });
}

function walk(a: Json, b: Json, path: string, out: Change[], hasA: boolean, hasB: boolean): void {
  if (!hasA && !hasB) return;
  if (!hasA || a === undefined) {
    if (b !== undefined) out.push({ path, kind: 'added', after: b });
    return;
  }
  if (!hasB || b === undefined) {
    out.push({ path, kind: 'removed', before: a });
    return;
  }
  if (same(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) return diffArrays(a, b, path, out);
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) walk(a[k], b[k], path ? `${path}.${k}` : k, out, k in a, k in b);
    return;
  }
  out.push({ path, kind: 'changed', before: a, after: b });
}

/** What changed from before to after: paths into the spec, elements matched by key. */
export function diffJson(before: Json, after: Json): Change[] {
  const out: Change[] = [];
  walk(before, after, '', out, before !== undefined, after !== undefined);
  return out;
}

/** A value shortened for one line of the diff list. */
export function preview(v: unknown, max = 80): string {
  if (v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
