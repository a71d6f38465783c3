import type { FilterJson } from '../../api/formTypes';
import type { LocalizedText } from '../../api/types';

/** The kinds a role grants rights on (engine/meta/schemas/role.json). */
export type GrantKind = 'app' | 'form' | 'view' | 'flow' | 'automation' | 'rule' | 'action' | 'report' | 'dashboard' | 'page';

/** A field rule as stored: a word, or a masked rule with its own mask ("3*4"). */
export type StoredFieldRule = FieldRuleName | { rule: FieldRuleName; mask?: string };

export type FieldRuleName = 'hidden' | 'readonly' | 'masked';

/** One permission entry of a role. */
export interface Permission {
  kind: GrantKind;
  /** A definition key, or * for every definition of the kind. */
  key: string;
  actions: string[];
  /** The row scope: a filter ANDed into every read (variables such as $user.unit). */
  scope?: FilterJson;
  fields?: Record<string, StoredFieldRule>;
}

/** The spec of a role definition. */
export interface RoleSpec {
  title: LocalizedText;
  description?: LocalizedText;
  permissions: Permission[];
}

/**
 * The rights the matrix offers per kind, in column order: what engine/access
 * is asked for on a definition of that kind (records' rights on forms,
 * transitions on flows, running actions and automations; design on all).
 */
export const RIGHTS: Record<GrantKind, readonly string[]> = {
  form: ['read', 'create', 'update', 'delete', 'export', 'import', 'design'],
  flow: ['read', 'transition', 'design'],
  action: ['run', 'design'],
  automation: ['read', 'run', 'design'],
  report: ['read', 'design'],
  dashboard: ['read', 'design'],
  view: ['read', 'design'],
  page: ['read', 'design'],
  rule: ['read', 'design'],
  app: ['read', 'design'],
};

/** The kinds in the order the designer shows them. */
export const GRANT_KINDS: readonly GrantKind[] = ['form', 'flow', 'action', 'report', 'dashboard', 'view', 'page', 'rule', 'automation', 'app'];

const matches = (p: Permission, kind: GrantKind, key: string) => p.kind === kind && p.key === key;

/** The entries of a row (a kind and key): one in a valid role (engine/meta checkRole), more only in a role being repaired. */
export function entriesOf(spec: RoleSpec, kind: GrantKind, key: string): Permission[] {
  return spec.permissions.filter((p) => matches(p, kind, key));
}

/** Whether the row grants right (in any of its entries). */
export function hasRight(spec: RoleSpec, kind: GrantKind, key: string, right: string): boolean {
  return entriesOf(spec, kind, key).some((p) => p.actions.includes(right));
}

/**
 * Grants or revokes right on a row. Granting adds it to the row's first
 * entry (or a new entry, after the others of the same kind); revoking
 * takes it from every entry of the row, and an entry left without rights
 * is dropped (the schema wants at least one), with its scope and field rules.
 */
export function setRight(spec: RoleSpec, kind: GrantKind, key: string, right: string, on: boolean): RoleSpec {
  if (hasRight(spec, kind, key, right) === on) return spec;
  if (!on) {
    const permissions = spec.permissions.flatMap((p) => {
      if (!matches(p, kind, key) || !p.actions.includes(right)) return [p];
      const actions = p.actions.filter((a) => a !== right);
      return actions.length > 0 ? [{ ...p, actions }] : [];
    });
    return { ...spec, permissions };
  }
  const i = spec.permissions.findIndex((p) => matches(p, kind, key));
  if (i >= 0) return { ...spec, permissions: spec.permissions.map((p, j) => (j === i ? { ...p, actions: orderRights(kind, [...p.actions, right]) } : p)) };
  let at = spec.permissions.length;
  for (let j = spec.permissions.length - 1; j >= 0; j--) {
    if (spec.permissions[j]!.kind === kind) {
      at = j + 1;
      break;
    }
  }
  const permissions = [...spec.permissions];
  permissions.splice(at, 0, { kind, key, actions: [right] });
  return { ...spec, permissions };
}

/** Rights in the matrix's column order; other (custom) rights keep their place after them. */
function orderRights(kind: GrantKind, actions: string[]): string[] {
  const known = RIGHTS[kind];
  const rank = (a: string) => (known.includes(a) ? known.indexOf(a) : known.length);
  return [...actions].sort((a, b) => rank(a) - rank(b));
}

/** Sets every right of the kind's columns on a row at once (the row's "all" box). */
export function setAllRights(spec: RoleSpec, kind: GrantKind, key: string, on: boolean): RoleSpec {
  return RIGHTS[kind].reduce((s, r) => setRight(s, kind, key, r, on), spec);
}

/** Changes the first entry of a row (its scope or field rules); a row without an entry is left alone. */
function updateFirst(spec: RoleSpec, kind: GrantKind, key: string, f: (p: Permission) => Permission): RoleSpec {
  const i = spec.permissions.findIndex((p) => matches(p, kind, key));
  if (i < 0) return spec;
  return { ...spec, permissions: spec.permissions.map((p, j) => (j === i ? f(p) : p)) };
}

/**
 * The row scope as the designer offers it: every row, the records the user
 * created, the records of the user's org unit, of the unit and the units
 * below it (my store, my region) by an org-unit field of the form, or a
 * condition of its own.
 */
export type ScopeChoice = { mode: 'all' } | { mode: 'own' } | { mode: 'unit'; field: string } | { mode: 'subtree'; field: string } | { mode: 'custom'; filter: FilterJson };

export type ScopeMode = ScopeChoice['mode'];

/** The system field holding the creator of a record (engine/form SysCreatedBy). */
export const CREATED_BY = '_createdBy';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a stored scope back into the choice that wrote it. */
export function parseScope(scope: FilterJson | undefined): ScopeChoice {
  if (!scope || Object.keys(scope).length === 0) return { mode: 'all' };
  const keys = Object.keys(scope);
  if (keys.length === 1) {
    const field = keys[0]!;
    const v = scope[field];
    if (field === CREATED_BY && v === '$user.id') return { mode: 'own' };
    if (v === '$user.unit') return { mode: 'unit', field };
    if (isObject(v) && Object.keys(v).length === 1 && v.$in === '$user.unitSubtree') return { mode: 'subtree', field };
  }
  return { mode: 'custom', filter: scope };
}

/** The stored scope of a choice; undefined means every row. */
export function buildScope(c: ScopeChoice): FilterJson | undefined {
  switch (c.mode) {
    case 'all':
      return undefined;
    case 'own':
      return { [CREATED_BY]: '$user.id' };
    case 'unit':
      return { [c.field]: '$user.unit' };
    case 'subtree':
      return { [c.field]: { $in: '$user.unitSubtree' } };
    case 'custom':
      return Object.keys(c.filter).length > 0 ? c.filter : undefined;
  }
}

/**
 * The choice a mode picked in the select becomes: unit modes take the
 * current field, or the form's first org-unit field.
 */
export function choose(mode: ScopeMode, current: ScopeChoice, unitFields: readonly string[]): ScopeChoice | undefined {
  const field = 'field' in current ? current.field : unitFields[0];
  switch (mode) {
    case 'unit':
    case 'subtree':
      return field ? { mode, field } : undefined;
    case 'custom':
      return { mode, filter: buildScope(current) ?? {} };
    default:
      return { mode };
  }
}

/** Sets the row scope of a row's first entry. */
export function setScope(spec: RoleSpec, kind: GrantKind, key: string, c: ScopeChoice): RoleSpec {
  const scope = buildScope(c);
  return updateFirst(spec, kind, key, (p) => {
    const { scope: _old, ...rest } = p;
    return scope ? { ...rest, scope } : rest;
  });
}

/** The rule of one field as the editor shows it: visible when none. */
export interface FieldRuleView {
  rule: FieldRuleName | 'visible';
  mask?: string;
}

/** Masks keep head leading and tail trailing characters: 3*4. */
export const MASK = /^[0-9]{1,2}\*[0-9]{1,2}$/;

export function readFieldRule(stored: StoredFieldRule | undefined): FieldRuleView {
  if (stored === undefined) return { rule: 'visible' };
  if (typeof stored === 'string') return { rule: stored };
  return stored.mask ? { rule: stored.rule, mask: stored.mask } : { rule: stored.rule };
}

/** The stored form of a rule: the bare word unless a masked field has its own mask. */
export function storeFieldRule(v: FieldRuleView): StoredFieldRule | undefined {
  if (v.rule === 'visible') return undefined;
  if (v.rule === 'masked' && v.mask) return { rule: 'masked', mask: v.mask };
  return v.rule;
}

/** Sets the rule of one field on a row's first entry; visible removes it (and an empty fields object). */
export function setFieldRule(spec: RoleSpec, kind: GrantKind, key: string, field: string, v: FieldRuleView): RoleSpec {
  const stored = storeFieldRule(v);
  return updateFirst(spec, kind, key, (p) => {
    const fields = { ...p.fields };
    if (stored === undefined) delete fields[field];
    else fields[field] = stored;
    const { fields: _old, ...rest } = p;
    return Object.keys(fields).length > 0 ? { ...rest, fields } : rest;
  });
}

/** The field rules of a row's first entry. */
export function fieldRules(spec: RoleSpec, kind: GrantKind, key: string): Record<string, StoredFieldRule> {
  return entriesOf(spec, kind, key)[0]?.fields ?? {};
}

/**
 * The rows of one kind's matrix: "*" (every definition of the kind; app
 * rows are the app itself), the app's definitions, then keys the role
 * names that are not (or no longer) defined, so nothing granted is hidden.
 */
export function matrixRows(spec: RoleSpec, kind: GrantKind, defined: readonly string[], app: string): string[] {
  const head = kind === 'app' ? [app] : ['*', ...defined];
  const extra = spec.permissions.filter((p) => p.kind === kind && !head.includes(p.key)).map((p) => p.key);
  return [...head, ...new Set(extra)];
}

/** How many rights a role grants on one kind: the count on each tab. */
export function grantCount(spec: RoleSpec, kind: GrantKind): number {
  return spec.permissions.filter((p) => p.kind === kind).reduce((n, p) => n + p.actions.length, 0);
}

/** The org-unit fields of a form, the ones unit scopes can use. */
export function unitFields(fields: readonly { key: string; type: string }[]): string[] {
  return fields.filter((f) => f.type === 'orgunit').map((f) => f.key);
}

/**
 * The server's problems of a saved role by row ("form/members"), from
 * their paths (permissions[3].fields.phone): so the matrix marks the row
 * the server refused. Problems outside the permissions are left out.
 */
export function problemsByRow(spec: RoleSpec, problems: readonly { path: string; message: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const m = /^permissions\[(\d+)\](?:\.(.*))?$/.exec(p.path);
    const entry = m ? spec.permissions[Number(m[1])] : undefined;
    if (!entry) continue;
    const id = `${entry.kind}/${entry.key}`;
    out.set(id, [...(out.get(id) ?? []), m![2] ? `${m![2]}: ${p.message}` : p.message]);
  }
  return out;
}
