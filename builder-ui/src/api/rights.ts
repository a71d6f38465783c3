import { api } from './client';
import { ApiError } from './problem';
import type { User } from './types';

/** A field's rule under a right: never written, read through a mask, or not read at all. */
export interface FieldRule {
  rule: 'readonly' | 'masked' | 'hidden';
  /** For masked: leading*trailing characters kept, e.g. "3*4". */
  mask?: string;
}

/** A granted right: whether a row scope narrows it, and the fields it restricts. */
export interface RightGrant {
  scoped: boolean;
  fields?: Record<string, FieldRule>;
}

/** The record operations the server answers for (GET .../forms/{form}/rights, "can"). */
export type FormOperation =
  | 'list'
  | 'get'
  | 'aggregate'
  | 'history'
  | 'create'
  | 'update'
  | 'revert'
  | 'upload'
  | 'delete'
  | 'restore'
  | 'trash'
  | 'bulk'
  | 'export'
  | 'import'
  | 'migrate';

/** The server's answer: the granted rights and what they allow. */
export interface FormRightsBody {
  app: string;
  form: string;
  admin: boolean;
  rights: Partial<Record<'read' | 'create' | 'update' | 'delete' | 'export' | 'import' | 'design', RightGrant>>;
  can: Partial<Record<FormOperation, boolean>>;
  flows: { key: string; title?: unknown }[];
}

/** What the signed-in user may do with a form's records. */
export interface FormRights {
  export: boolean;
  import: boolean;
  create: boolean;
  update: boolean;
  delete: boolean;
  bulk: boolean;
  /** The raw answer (undefined when the user holds no right on the form). */
  detail?: FormRightsBody;
}

/** No right at all: what a refused or failed look-up shows (buttons hidden). */
export const NO_RIGHTS: FormRights = { export: false, import: false, create: false, update: false, delete: false, bulk: false };

const cache = new Map<string, Promise<FormRights>>();
const seg = encodeURIComponent;

/** Reads the answer into the flags the pages use. */
export function rightsOf(body: FormRightsBody): FormRights {
  const can = (op: FormOperation) => body.can[op] === true;
  return {
    export: can('export'),
    import: can('import'),
    create: can('create'),
    update: can('update'),
    delete: can('delete'),
    bulk: can('bulk'),
    detail: body,
  };
}

/**
 * The user's rights on a form, from GET /api/apps/{app}/forms/{form}/rights
 * (the Guard's own decisions). Answers are kept per user and form for the
 * page's life; a refusal (403, or 404 for a form not published) is no right.
 */
export function formRights(user: User, app: string, form: string): Promise<FormRights> {
  const key = `${user.id}/${app}/${form}`;
  let p = cache.get(key);
  if (!p) {
    p = api
      .get<FormRightsBody>(`/api/apps/${seg(app)}/forms/${seg(form)}/rights`)
      .then(rightsOf)
      .catch((e: unknown) => {
        cache.delete(key); // a failure is not remembered: the next page asks again
        if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return NO_RIGHTS;
        throw e;
      });
    cache.set(key, p);
  }
  return p;
}
