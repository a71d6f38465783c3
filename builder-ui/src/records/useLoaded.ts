import { useEffect, useState } from 'react';
import type { FormSpec } from '../api/formTypes';
import type { BatchLoader } from './batchLoader';
import { publishedForm } from './resolve';

/** The values of ids from a loader, filled in as they arrive. */
export function useLoaded<V>(loader: BatchLoader<V> | undefined, ids: readonly string[]): Map<string, V> {
  const [values, setValues] = useState<Map<string, V>>(() => new Map());
  const key = ids.join('\u0000');
  useEffect(() => {
    if (!loader || ids.length === 0) return;
    let current = true;
    void Promise.all(ids.map((id) => loader.load(id).then((v) => [id, v] as const))).then((pairs) => {
      if (!current) return;
      const m = new Map<string, V>();
      for (const [id, v] of pairs) if (v !== undefined) m.set(id, v);
      setValues(m);
    });
    return () => {
      current = false;
    };
    // key stands for ids.
  }, [loader, key]);
  return values;
}

/** Ids held by a relation, user or unit value (one id or a list). */
export function idsOf(value: unknown): string[] {
  if (typeof value === 'string') return value ? [value] : [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** A form's published spec (cached), undefined while loading or when it cannot be read. */
export function useFormSpec(app: string, form: string | undefined): FormSpec | undefined {
  const [spec, setSpec] = useState<FormSpec | undefined>(undefined);
  useEffect(() => {
    if (!form) return;
    let current = true;
    publishedForm(app, form).then(
      (d) => current && setSpec(d.spec),
      () => current && setSpec(undefined),
    );
    return () => {
      current = false;
    };
  }, [app, form]);
  return spec;
}
