/**
 * "Something changed in someone's tasks": a decision in the inbox, a
 * transition on a record page. The header badge, the inbox and the
 * workflow panel listen, so each shows the new counts without polling
 * sooner than it would anyway.
 */

const EVENT = 'tangram:tasks-changed';

/** Tells every listener that tasks changed. */
export function tasksChanged(): void {
  if (typeof window !== 'undefined') window.dispatchEvent(new Event(EVENT));
}

/** Calls listener after each change; returns the unsubscribe. */
export function onTasksChanged(listener: () => void): () => void {
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
