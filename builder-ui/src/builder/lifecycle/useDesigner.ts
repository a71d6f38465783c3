import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getDefinition, getPublished, publishDefinition, saveDefinition, type Kind } from '../../api/meta';
import { ApiError, type FieldError } from '../../api/problem';
import type { Definition } from '../../api/types';
import { clearFormCache } from '../../records/resolve';
import { rollbackDefinition } from '../api';
import { canRedo, canUndo, initHistory, record, redo, seal, undo, type History } from './history';

/** What a designer page loads: the latest revision and the published one. */
export interface Loaded<S> {
  latest: Definition<S>;
  published?: Definition<S>;
}

/** Loads a definition for a designer; a definition never published has no published revision. */
export async function loadDefinition<S>(app: string, kind: Kind, key: string): Promise<Loaded<S>> {
  const [latest, published] = await Promise.all([
    getDefinition<S>(app, kind, key),
    getPublished<S>(app, kind, key).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }),
  ]);
  return published ? { latest, published } : { latest };
}

/** A designer's working copy and the lifecycle of its definition. */
export interface Designer<S> {
  app: string;
  kind: Kind;
  key: string;
  spec: S;
  /** Replaces the working copy; edits of one group merge into one undo step. */
  set: (next: S, group?: string) => void;
  /** Applies f to the latest working copy (for handlers that may run before a render). */
  update: (f: (s: S) => S, group?: string) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  /** Ends the current edit group (a field lost focus). */
  seal: () => void;
  latest: Definition<S>;
  published: Definition<S> | undefined;
  /** The working copy differs from the latest saved revision. */
  dirty: boolean;
  busy: boolean;
  /** Someone saved a newer revision (412): reload before saving again. */
  conflict: boolean;
  /** The server's field errors of the last save or publish, paths relative to the spec. */
  problems: FieldError[];
  /** A failure without field errors. */
  failure: unknown;
  save: () => Promise<boolean>;
  publish: () => Promise<boolean>;
  rollback: (version: number) => Promise<boolean>;
  reload: () => void;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Drops the "spec." the meta API roots paths at. */
export function specPath(path: string): string {
  return path.startsWith('spec.') ? path.slice(5) : path === 'spec' ? '' : path;
}

/**
 * The lifecycle every designer shares: edits with undo and redo, saving a
 * draft on top of the version it was based on (If-Match, so a second
 * designer's save is a conflict, never an overwrite), publishing, rolling
 * back. Published forms are dropped from the runtime's cache.
 */
export function useDesigner<S>(app: string, kind: Kind, loaded: Loaded<S>, reload: () => void): Designer<S> {
  const [history, setHistory] = useState<History<S>>(() => initHistory(loaded.latest.spec));
  const [latest, setLatest] = useState(loaded.latest);
  const [published, setPublished] = useState(loaded.published);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [problems, setProblems] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const current = useRef(history.present);
  current.current = history.present;
  const key = loaded.latest.key;

  const set = useCallback((next: S, group?: string) => setHistory((h) => record(h, next, group)), []);
  const update = useCallback((f: (s: S) => S, group?: string) => setHistory((h) => record(h, f(h.present), group)), []);
  const dirty = useMemo(() => !same(history.present, latest.spec), [history.present, latest.spec]);

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 412) setConflict(true);
    else if (e instanceof ApiError && e.fieldErrors.length > 0) setProblems(e.fieldErrors.map((fe) => ({ ...fe, path: specPath(fe.path) })));
    else setFailure(e);
  };

  const saveNow = async (): Promise<Definition<S> | undefined> => {
    const spec = current.current;
    if (same(spec, latest.spec)) return latest;
    const saved = await saveDefinition<S>(app, kind, key, spec, latest.version);
    setLatest(saved);
    return saved;
  };

  const run = async (f: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setProblems([]);
    setFailure(undefined);
    try {
      await f();
      return true;
    } catch (e) {
      fail(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const save = () => run(async () => void (await saveNow()));

  const publish = () =>
    run(async () => {
      const saved = await saveNow();
      if (!saved) return;
      const p = await publishDefinition<S>(app, kind, key, saved.version);
      setLatest(p);
      setPublished(p);
      if (kind === 'form') clearFormCache();
    });

  const rollback = (version: number) =>
    run(async () => {
      const p = await rollbackDefinition<S>(app, kind, key, version, latest.version);
      setLatest(p);
      setPublished(p);
      setHistory((h) => record(h, p.spec));
      if (kind === 'form') clearFormCache();
    });

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  return {
    app,
    kind,
    key,
    spec: history.present,
    set,
    update,
    undo: () => setHistory(undo),
    redo: () => setHistory(redo),
    canUndo: canUndo(history),
    canRedo: canRedo(history),
    seal: () => setHistory(seal),
    latest,
    published,
    dirty,
    busy,
    conflict,
    problems,
    failure,
    save,
    publish,
    rollback,
    reload,
  };
}
