import { getPublished } from '../api/meta';
import type { FormSpec, RecordDoc } from '../api/formTypes';
import { api } from '../api/client';
import { listRecords } from '../api/records';
import type { Definition, User } from '../api/types';
import { BatchLoader } from './batchLoader';

/** An org unit as GET /api/org/units/:id returns it. */
export interface Unit {
  id: string;
  name: string;
  code?: string;
  kind?: string;
  parentId?: string;
}

const formCache = new Map<string, Promise<Definition<FormSpec>>>();

/** A form's published definition, fetched once per page life. */
export function publishedForm(app: string, form: string): Promise<Definition<FormSpec>> {
  const key = `${app}/${form}`;
  let p = formCache.get(key);
  if (!p) {
    p = getPublished<FormSpec>(app, 'form', form);
    p.catch(() => formCache.delete(key));
    formCache.set(key, p);
  }
  return p;
}

/** Forgets cached form definitions (a designer published a new version). */
export function clearFormCache(): void {
  formCache.clear();
}

const recordLoaders = new Map<string, BatchLoader<RecordDoc>>();

/** Batched, cached reads of a form's records by id (relation titles and paths). */
export function recordLoader(app: string, form: string): BatchLoader<RecordDoc> {
  const key = `${app}/${form}`;
  let l = recordLoaders.get(key);
  if (!l) {
    l = new BatchLoader<RecordDoc>(async (ids) => {
      const page = await listRecords(app, form, { filter: { _id: { $in: ids } }, limit: ids.length });
      return new Map(page.items.map((r) => [r._id, r]));
    });
    recordLoaders.set(key, l);
  }
  return l;
}

/** The text a record is shown by: its form's title field, else its first text value, else its id. */
export function recordTitle(rec: RecordDoc | undefined, spec: FormSpec | undefined, id: string): string {
  if (!rec) return id;
  const tf = spec?.titleField;
  const v = tf ? rec[tf] : undefined;
  if (typeof v === 'string' && v.trim()) return v;
  if (typeof v === 'number') return String(v);
  for (const f of spec?.fields ?? []) {
    const x = rec[f.key];
    if ((f.type === 'text' || f.type === 'autonumber' || f.type === 'phone') && typeof x === 'string' && x) return x;
  }
  return id;
}

/** Users by id: an admin reads anyone, others only themselves (the rest show as ids). */
export const userLoader = new BatchLoader<User>(async (ids) => {
  const out = new Map<string, User>();
  await Promise.all(
    ids.map((id) =>
      api.get<User>(`/api/users/${encodeURIComponent(id)}`).then(
        (u) => void out.set(id, u),
        () => undefined,
      ),
    ),
  );
  return out;
}, 20);

/** Org units by id (any signed-in user may read them). */
export const unitLoader = new BatchLoader<Unit>(async (ids) => {
  const out = new Map<string, Unit>();
  await Promise.all(
    ids.map((id) =>
      api.get<Unit>(`/api/org/units/${encodeURIComponent(id)}`).then(
        (u) => void out.set(id, u),
        () => undefined,
      ),
    ),
  );
  return out;
}, 20);
