import type { MenuItem } from '../../api/types';
import { patched } from '../patch';

/** Where an item is: its index at each level from the root. */
export type Path = readonly number[];

export function pathKey(p: Path): string {
  return p.join('-');
}

export function parsePath(key: string): number[] {
  return key === '' ? [] : key.split('-').map(Number);
}

/** The item at path. */
export function itemAt(items: readonly MenuItem[], p: Path): MenuItem | undefined {
  let list: readonly MenuItem[] | undefined = items;
  let it: MenuItem | undefined;
  for (const i of p) {
    it = list?.[i];
    list = it?.children;
  }
  return p.length === 0 ? undefined : it;
}

/** Applies f to the children list at parent (the root for []). */
function withList(items: readonly MenuItem[], parent: Path, f: (list: MenuItem[]) => MenuItem[]): MenuItem[] {
  if (parent.length === 0) return f([...items]);
  const [head, ...rest] = parent;
  return items.map((it, i) => {
    if (i !== head) return it;
    const children = withList(it.children ?? [], rest, f);
    const next: MenuItem = { ...it, children };
    if (children.length === 0) delete next.children;
    return next;
  });
}

/** Every key in the tree. */
export function allKeys(items: readonly MenuItem[]): Set<string> {
  const out = new Set<string>();
  const walk = (xs: readonly MenuItem[]) => xs.forEach((x) => (out.add(x.key), x.children && walk(x.children)));
  walk(items);
  return out;
}

/** A key not used anywhere in the tree: base, base2... */
export function uniqueItemKey(items: readonly MenuItem[], base: string): string {
  const used = allKeys(items);
  const clean = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]+/, '') || 'item';
  if (!used.has(clean)) return clean;
  for (let n = 2; ; n++) if (!used.has(`${clean}${n}`)) return `${clean}${n}`;
}

export function insertAt(items: readonly MenuItem[], parent: Path, index: number, item: MenuItem): MenuItem[] {
  return withList(items, parent, (list) => {
    list.splice(Math.min(Math.max(index, 0), list.length), 0, item);
    return list;
  });
}

export function removeAt(items: readonly MenuItem[], p: Path): MenuItem[] {
  if (p.length === 0) return [...items];
  return withList(items, p.slice(0, -1), (list) => list.filter((_x, i) => i !== p[p.length - 1]));
}

/** Changes an item; undefined values remove a setting (a target and a URL exclude each other). */
export function updateAt(items: readonly MenuItem[], p: Path, patch: Partial<MenuItem>): MenuItem[] {
  if (p.length === 0) return [...items];
  return withList(items, p.slice(0, -1), (list) =>
    list.map((it, i) => {
      if (i !== p[p.length - 1]) return it;
      const next = patched(it, patch);
      if (patch.target) delete next.url;
      if (patch.url) delete next.target;
      return next;
    }),
  );
}

/** Whether a is b or inside it. */
function within(a: Path, b: Path): boolean {
  return a.length >= b.length && b.every((x, i) => a[i] === x);
}

/**
 * Moves the item at from into parent at index (index counted in the list
 * as it is before the move). Moving an item into itself changes nothing.
 * Returns the tree and the item's new path.
 */
export function moveItem(items: readonly MenuItem[], from: Path, parent: Path, index: number): { items: MenuItem[]; at: number[] } {
  const it = itemAt(items, from);
  if (!it || within(parent, from)) return { items: [...items], at: [...from] };
  let target = [...parent];
  let idx = index;
  const fp = from.slice(0, -1);
  const fi = from[from.length - 1]!;
  // Taking the item out shifts what comes after it in its list.
  if (pathKey(fp) === pathKey(parent) && fi < index) idx -= 1;
  if (target.length > fp.length && pathKey(target.slice(0, fp.length)) === pathKey(fp) && target[fp.length]! > fi) target[fp.length]! -= 1;
  const removed = removeAt(items, from);
  target = target.slice();
  const len = (parentPath: number[]) => (parentPath.length === 0 ? removed.length : (itemAt(removed, parentPath)?.children?.length ?? 0));
  idx = Math.min(Math.max(idx, 0), len(target));
  return { items: insertAt(removed, target, idx, it), at: [...target, idx] };
}

/** One place up or down among its siblings. */
export function nudge(items: readonly MenuItem[], p: Path, delta: -1 | 1): { items: MenuItem[]; at: number[] } {
  const i = p[p.length - 1]!;
  const parent = p.slice(0, -1);
  const siblings = parent.length === 0 ? items : (itemAt(items, parent)?.children ?? []);
  const to = i + delta;
  if (to < 0 || to >= siblings.length) return { items: [...items], at: [...p] };
  return moveItem(items, p, parent, delta > 0 ? to + 1 : to);
}

/** Into the previous sibling, as its last child (a group then). */
export function indent(items: readonly MenuItem[], p: Path): { items: MenuItem[]; at: number[] } {
  const i = p[p.length - 1]!;
  if (i === 0) return { items: [...items], at: [...p] };
  const prev = [...p.slice(0, -1), i - 1];
  return moveItem(items, p, prev, itemAt(items, prev)?.children?.length ?? 0);
}

/** Out of its group, right after it. */
export function outdent(items: readonly MenuItem[], p: Path): { items: MenuItem[]; at: number[] } {
  if (p.length < 2) return { items: [...items], at: [...p] };
  const parent = p.slice(0, -1);
  return moveItem(items, p, parent.slice(0, -1), parent[parent.length - 1]! + 1);
}
