import { useCallback, useEffect, useState } from 'react';
import type { RecordDoc } from '../../api/formTypes';
import { listRecords, type ListParams } from '../../api/records';
import { recordLoader } from '../resolve';

/** A page of a list and the way to the pages around it. */
export interface RecordPageState {
  items: RecordDoc[];
  loading: boolean;
  error: unknown;
  /** 1-based number of the page shown. */
  page: number;
  hasNext: boolean;
  hasPrev: boolean;
  next: () => void;
  prev: () => void;
  reload: () => void;
}

/**
 * Pages through a list by the server's keyset cursor: "next" follows the
 * cursor of the page shown, "previous" goes back to the cursor that led
 * here. No total is counted, so a page costs the same at any depth of a
 * million records. Changing the query starts again at page 1.
 */
export function useRecordPage(app: string, form: string | undefined, params: ListParams, enabled = true): RecordPageState {
  const key = JSON.stringify(params);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [round, setRound] = useState(0);
  const [state, setState] = useState<{ items: RecordDoc[]; next?: string; loading: boolean; error: unknown }>({ items: [], loading: true, error: undefined });

  useEffect(() => setCursors([undefined]), [key, app, form]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    if (!form || !enabled) return;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    listRecords(app, form, { ...params, cursor }, ctl.signal).then(
      (p) => {
        const loader = recordLoader(app, form);
        for (const r of p.items) loader.prime(r._id, r);
        setState({ items: p.items, next: p.next, loading: false, error: undefined });
      },
      (error: unknown) => {
        if (error instanceof DOMException && error.name === 'AbortError') return;
        setState({ items: [], loading: false, error });
      },
    );
    return () => ctl.abort();
    // key stands for params.
  }, [app, form, key, cursor, round, enabled]);

  const next = useCallback(() => {
    if (state.next) setCursors((c) => [...c, state.next]);
  }, [state.next]);
  const prev = useCallback(() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)), []);
  const reload = useCallback(() => setRound((r) => r + 1), []);

  return {
    items: state.items,
    loading: state.loading,
    error: state.error,
    page: cursors.length,
    hasNext: !!state.next,
    hasPrev: cursors.length > 1,
    next,
    prev,
    reload,
  };
}
