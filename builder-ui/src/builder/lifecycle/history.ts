/**
 * An undo/redo history of immutable values. Edits that belong together
 * (the keystrokes of one label) share a group and become one step.
 */
export interface History<T> {
  past: T[];
  present: T;
  future: T[];
  /** The group of the last edit, while further edits of it merge into it. */
  group?: string;
}

/** How many steps undo goes back at most. */
export const HISTORY_LIMIT = 200;

export function initHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

/**
 * Records next as the present. With a group equal to the last edit's, the
 * previous present is replaced instead of kept (one undo step for the
 * whole burst). A value identical to the present changes nothing.
 */
export function record<T>(h: History<T>, next: T, group?: string): History<T> {
  if (Object.is(next, h.present)) return h;
  if (group !== undefined && group === h.group) {
    const merged: History<T> = { past: h.past, present: next, future: [], group };
    return merged;
  }
  const past = [...h.past, h.present];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  const out: History<T> = { past, present: next, future: [] };
  if (group !== undefined) out.group = group;
  return out;
}

export function canUndo<T>(h: History<T>): boolean {
  return h.past.length > 0;
}

export function canRedo<T>(h: History<T>): boolean {
  return h.future.length > 0;
}

export function undo<T>(h: History<T>): History<T> {
  const prev = h.past[h.past.length - 1];
  if (h.past.length === 0) return h;
  return { past: h.past.slice(0, -1), present: prev as T, future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  const [next, ...rest] = h.future;
  return { past: [...h.past, h.present], present: next as T, future: rest };
}

/** Ends the current group, so the next edit is a step of its own. */
export function seal<T>(h: History<T>): History<T> {
  if (h.group === undefined) return h;
  return { past: h.past, present: h.present, future: h.future };
}
