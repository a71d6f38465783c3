import type { FormValues } from './formModel';

/** A draft: what was typed, and when. */
export interface Draft {
  values: FormValues;
  savedAt: string;
  /** The record version the draft was typed over (edits only). */
  version?: number;
}

const PREFIX = 'tangram.draft.';

/** The storage key of a form's draft for one user: a new record, or an edit of one. */
export function draftKey(user: string, app: string, form: string, id?: string): string {
  return `${PREFIX}${user}.${app}.${form}.${id ?? 'new'}`;
}

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function store(s?: Store): Store | undefined {
  if (s) return s;
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export function loadDraft(key: string, s?: Store): Draft | undefined {
  try {
    const raw = store(s)?.getItem(key);
    if (!raw) return undefined;
    const d = JSON.parse(raw) as Draft;
    return d && typeof d.values === 'object' && d.values !== null ? d : undefined;
  } catch {
    return undefined;
  }
}

export function saveDraft(key: string, draft: Draft, s?: Store): void {
  try {
    store(s)?.setItem(key, JSON.stringify(draft));
  } catch {
    // A full or refused storage only costs the draft.
  }
}

export function clearDraft(key: string, s?: Store): void {
  try {
    store(s)?.removeItem(key);
  } catch {
    // as above
  }
}
