import { api } from './client';
import type { AppSpec, Definition } from './types';

/** Kinds of definitions, as the meta API names them. */
export type Kind = 'app' | 'form' | 'view' | 'flow' | 'automation' | 'rule' | 'action' | 'report' | 'dashboard' | 'page' | 'role';

const seg = encodeURIComponent;

/** App definitions visible to the caller. */
export function listApps(): Promise<Definition<AppSpec>[]> {
  return api.get<Definition<AppSpec>[]>('/api/apps');
}

/** The latest revision of every definition of a kind in an app. */
export function listDefinitions(app: string, kind: Kind): Promise<Definition[]> {
  return api.get<Definition[]>(`/api/apps/${seg(app)}/meta/${seg(kind)}`);
}

/** One definition's latest revision. */
export function getDefinition<S = Definition['spec']>(app: string, kind: string, key: string): Promise<Definition<S>> {
  return api.get<Definition<S>>(`/api/apps/${seg(app)}/meta/${seg(kind)}/${seg(key)}`);
}

/** A definition's published revision (what the runtime shows). */
export function getPublished<S = Definition['spec']>(app: string, kind: string, key: string): Promise<Definition<S>> {
  return api.get<Definition<S>>(`/api/apps/${seg(app)}/meta/${seg(kind)}/${seg(key)}`, { query: { status: 'published' } });
}

/** Creates a definition (version 1, a draft). */
export function createDefinition<S>(app: string, kind: Kind, key: string, spec: S): Promise<Definition<S>> {
  return api.post<Definition<S>>(`/api/apps/${seg(app)}/meta/${seg(kind)}/${seg(key)}`, { spec });
}

/** Saves a new draft revision on top of version. */
export function saveDefinition<S>(app: string, kind: Kind, key: string, spec: S, version: number): Promise<Definition<S>> {
  return api.request<Definition<S>>(`/api/apps/${seg(app)}/meta/${seg(kind)}/${seg(key)}`, {
    method: 'PUT',
    body: { spec },
    headers: { 'If-Match': String(version) },
  });
}

/** Publishes the latest revision, which must be version. */
export function publishDefinition<S>(app: string, kind: Kind, key: string, version: number): Promise<Definition<S>> {
  return api.post<Definition<S>>(`/api/apps/${seg(app)}/meta/${seg(kind)}/${seg(key)}/publish`, undefined, {
    headers: { 'If-Match': String(version) },
  });
}
