import { api } from '../../api/client';
import { listDefinitions } from '../../api/meta';
import type { FilterJson, ViewSpec, ViewType } from '../../api/formTypes';
import type { Definition } from '../../api/types';
import type { Group } from '../filter/model';

/**
 * Saved views are each user's own list views of a form, kept by the server
 * per user (GET/POST/PUT/DELETE .../forms/{form}/saved-views): name,
 * filter, sort, columns and layout, plus the filter builder's tree in
 * state, so relative dates such as 最近7天 stay relative. A user sees their
 * own and those others shared; the app's published views (view
 * definitions) are listed beside them.
 */
export interface SavedView {
  id: string;
  owner: string;
  mine: boolean;
  version: number;
  name: string;
  filter?: FilterJson;
  sort?: string;
  columns?: string[];
  mode: ViewType;
  groupBy?: string;
  dateField?: string;
  search?: string;
  shared?: boolean;
  state?: { builder?: Group };
}

/** What a save sends. */
export type SavedViewInput = Omit<SavedView, 'id' | 'owner' | 'mine' | 'version'>;

/** A choice of the view picker: a published view or a saved one. */
export interface ViewChoice {
  value: string;
  label: string;
  mine: boolean;
}

const seg = encodeURIComponent;
const base = (app: string, form: string) => `/api/apps/${seg(app)}/forms/${seg(form)}/saved-views`;

/** The address of a saved view's list. */
export function savedViewPath(app: string, form: string, id: string): string {
  return `/apps/${seg(app)}/form/${seg(form)}?saved=${seg(id)}`;
}

/** The user's saved views of a form, then those others shared. */
export async function listSavedViews(app: string, form: string): Promise<SavedView[]> {
  return (await api.get<{ items: SavedView[] }>(base(app, form))).items;
}

/** One saved view (the user's own or a shared one). */
export function getSavedView(app: string, form: string, id: string): Promise<SavedView> {
  return api.get<SavedView>(`${base(app, form)}/${seg(id)}`);
}

/** Saves a new view, or replaces the user's own (existing) one; returns it. */
export function saveView(app: string, form: string, input: SavedViewInput, existing?: { id: string; version: number }): Promise<SavedView> {
  if (!existing) return api.post<SavedView>(base(app, form), input);
  return api.request<SavedView>(`${base(app, form)}/${seg(existing.id)}`, {
    method: 'PUT',
    body: input,
    headers: { 'If-Match': `"${existing.version}"` },
  });
}

/** The app's published views of a form: view definitions (those without an owner; personal ones of old are left out). */
export async function publishedViews(app: string, form: string): Promise<Definition<ViewSpec>[]> {
  const defs = (await listDefinitions(app, 'view')) as unknown as Definition<ViewSpec>[];
  return defs.filter((d) => d.spec.form === form && typeof d.spec.options?.owner !== 'string');
}

/** The picker's choices: the app's views and others' shared ones, then the user's own. */
export async function viewChoices(app: string, form: string, title: (v: ViewSpec) => string): Promise<ViewChoice[]> {
  const [defs, saved] = await Promise.all([publishedViews(app, form).catch(() => []), listSavedViews(app, form)]);
  return [
    ...defs.map((d) => ({ value: `view:${d.key}`, label: title(d.spec), mine: false })),
    ...saved.map((v) => ({ value: `saved:${v.id}`, label: v.name, mine: v.mine })),
  ];
}
