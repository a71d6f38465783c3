import { createDefinition, listDefinitions, publishDefinition, saveDefinition } from '../../api/meta';
import type { ViewSpec } from '../../api/formTypes';
import type { Definition, User } from '../../api/types';

/**
 * Saved views are view definitions. The server has no per-user store for
 * them, so a user's own view is a view definition whose options name its
 * owner (and keep the filter builder's tree, so relative dates such as
 * 最近7天 stay relative); creating one needs the design right on views,
 * which a role can grant for kind "view" alone. Views without an owner are
 * the app's shared views.
 */
export interface SavedView {
  key: string;
  version: number;
  spec: ViewSpec;
  mine: boolean;
}

export function ownerOf(spec: ViewSpec): string | undefined {
  const o = spec.options?.owner;
  return typeof o === 'string' ? o : undefined;
}

/** The views of a form the user sees: the shared ones and their own. */
export async function listSavedViews(app: string, form: string, user: User): Promise<SavedView[]> {
  const defs = (await listDefinitions(app, 'view')) as unknown as Definition<ViewSpec>[];
  return defs
    .filter((d) => d.spec.form === form && (ownerOf(d.spec) === undefined || ownerOf(d.spec) === user.id))
    .map((d) => ({ key: d.key, version: d.version, spec: d.spec, mine: ownerOf(d.spec) === user.id }));
}

/** A key for a new personal view: "u-" and a time stamp, inside the definition key pattern. */
export function personalViewKey(now = Date.now()): string {
  return `u-${now.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

/** Creates or updates a personal view and publishes it, so lists can use it at once. */
export async function savePersonalView(app: string, spec: ViewSpec, existing?: { key: string; version: number }): Promise<string> {
  if (existing) {
    const d = await saveDefinition(app, 'view', existing.key, spec, existing.version);
    await publishDefinition(app, 'view', existing.key, d.version);
    return existing.key;
  }
  const key = personalViewKey();
  const d = await createDefinition(app, 'view', key, spec);
  await publishDefinition(app, 'view', key, d.version);
  return key;
}
