import type { FieldDef, FormSpec, ViewColumn, ViewSpec, ViewType } from '../../api/formTypes';
import type { LocalizedText } from '../../api/types';
import { SYSTEM_FIELDS } from '../../records/stored';

/** The layouts the view designer offers (engine/meta/schemas/view.json; the runtime draws these three). */
export const VIEW_TYPES: readonly ViewType[] = ['table', 'kanban', 'calendar'];

/** The width bounds of a column (view.json). */
export const MIN_WIDTH = 20;
export const MAX_WIDTH = 2000;
/** The page size bounds (view.json). */
export const MAX_PAGE_SIZE = 1000;
/** At most this many columns (view.json). */
export const MAX_COLUMNS = 200;

/** One key of a sort: a field and its direction. */
export interface SortKey {
  field: string;
  desc: boolean;
}

/** The keys of a sort in the query language ("-spend12m,name"); empty parts are skipped. */
export function parseSort(sort: string | undefined): SortKey[] {
  return (sort ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== '-' && s !== '+')
    .map((s) => (s.startsWith('-') ? { field: s.slice(1), desc: true } : { field: s.startsWith('+') ? s.slice(1) : s, desc: false }));
}

/** The sort string of keys, or undefined when there are none (the view then has no sort). */
export function formatSort(keys: SortKey[]): string | undefined {
  const parts = keys.filter((k) => k.field).map((k) => `${k.desc ? '-' : ''}${k.field}`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** The spec with sort replaced by keys (dropped when empty). */
export function setSort(spec: ViewSpec, keys: SortKey[]): ViewSpec {
  return withOptional(spec, 'sort', formatSort(keys));
}

/** Sets or drops an optional property, so a cleared setting leaves no empty value behind. */
export function withOptional<K extends keyof ViewSpec>(spec: ViewSpec, key: K, value: ViewSpec[K] | undefined): ViewSpec {
  const next = { ...spec };
  if (value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)) delete next[key];
  else next[key] = value;
  return next;
}

/** Moves the item at from to to (dnd-kit's arrayMove, without its import in a pure module). */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return [...list];
  const out = [...list];
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

/** The spec with a column showing field appended (no change when it is shown already or the list is full). */
export function addColumn(spec: ViewSpec, field: string): ViewSpec {
  const cols = spec.columns ?? [];
  if (!field || cols.some((c) => c.field === field) || cols.length >= MAX_COLUMNS) return spec;
  return { ...spec, columns: [...cols, { field }] };
}

/** The spec without its i-th column. */
export function removeColumn(spec: ViewSpec, i: number): ViewSpec {
  return withOptional(spec, 'columns', nonEmpty((spec.columns ?? []).filter((_c, k) => k !== i)));
}

/** The spec with its column at from moved to to. */
export function moveColumn(spec: ViewSpec, from: number, to: number): ViewSpec {
  return { ...spec, columns: move(spec.columns ?? [], from, to) };
}

/** The spec with the i-th column changed by patch; undefined values drop a setting. */
export function updateColumn(spec: ViewSpec, i: number, patch: Partial<ViewColumn>): ViewSpec {
  const cols = (spec.columns ?? []).map((c, k) => {
    if (k !== i) return c;
    const next: ViewColumn = { ...c };
    for (const [key, v] of Object.entries(patch) as [keyof ViewColumn, unknown][]) {
      if (v === undefined || v === null || v === '') delete next[key];
      else (next as unknown as Record<string, unknown>)[key] = v;
    }
    return next;
  });
  return { ...spec, columns: cols };
}

/** A width kept inside the schema's bounds; an empty entry means "automatic". */
export function clampWidth(w: number | null | undefined): number | undefined {
  if (w === null || w === undefined || !Number.isFinite(w)) return undefined;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(w)));
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

/** Fields a column can show: every stored field of the form (sub-tables aside) and the record times. */
export function columnFields(form: FormSpec): FieldDef[] {
  return form.fields.filter((f) => f.type !== 'subtable');
}

/** A column the designer offers: a field, or a field of a related record (homeStore.name), with the labels along the way. */
export interface ColumnChoice {
  path: string;
  labels: LocalizedText[];
}

/** The relation fields of form whose target a column can reach into (one hop, one related record). */
export function relationFields(form: FormSpec): FieldDef[] {
  return form.fields.filter((f) => f.type === 'relation' && typeof f.form === 'string' && f.form !== '' && f.multiple !== true);
}

/**
 * The columns a view of form can show: its fields, then the fields of
 * the records its relations point at (targets holds the related forms
 * that could be read), then the record times.
 */
export function columnChoices(form: FormSpec, targets: ReadonlyMap<string, FormSpec>, times: Record<'_createdAt' | '_updatedAt', LocalizedText>): ColumnChoice[] {
  const out: ColumnChoice[] = columnFields(form).map((f) => ({ path: f.key, labels: [f.label] }));
  for (const r of relationFields(form)) {
    const target = targets.get(String(r.form));
    for (const g of target ? columnFields(target).filter((x) => x.type !== 'relation') : []) out.push({ path: `${r.key}.${g.key}`, labels: [r.label, g.label] });
  }
  out.push({ path: '_createdAt', labels: [times._createdAt] }, { path: '_updatedAt', labels: [times._updatedAt] });
  return out;
}

/** The fields a kanban can group by: single-choice fields. */
export function groupFields(form: FormSpec): FieldDef[] {
  return form.fields.filter((f) => f.type === 'select');
}

/** The fields a calendar can place records by: dates and times. */
export function dateFields(form: FormSpec): FieldDef[] {
  return form.fields.filter((f) => f.type === 'date' || f.type === 'datetime');
}

/**
 * The spec with another layout: a kanban gets the first choice field to
 * group by and a calendar the first date field when it has none yet.
 * Both stay whatever the layout: the runtime's list switches between
 * table, kanban and calendar and reads them there.
 */
export function setType(spec: ViewSpec, type: ViewType, form: FormSpec | undefined): ViewSpec {
  let next: ViewSpec = { ...spec, type };
  const groups = form ? groupFields(form) : [];
  const dates = form ? dateFields(form) : [];
  if (type === 'kanban' && !groups.some((f) => f.key === next.groupBy)) next = withOptional(next, 'groupBy', groups[0]?.key);
  if (type === 'calendar' && !dates.some((f) => f.key === next.dateField)) next = withOptional(next, 'dateField', dates[0]?.key);
  return next;
}

/**
 * The spec listing another form: columns, filter, sort and grouping name
 * the old form's fields, so they go; the title and page size stay.
 */
export function setForm(spec: ViewSpec, form: string): ViewSpec {
  if (form === spec.form) return spec;
  const next: ViewSpec = { title: spec.title, form };
  if (spec.description) next.description = spec.description;
  if (spec.type) next.type = spec.type;
  if (spec.pageSize) next.pageSize = spec.pageSize;
  return next;
}

/** A mistake the designer can see before the server does: code builder.view.problem.<code>, at path. */
export interface ViewProblem {
  path: string;
  code: 'unknownColumn' | 'duplicateColumn' | 'noGroup' | 'badGroup' | 'noDate' | 'badDate' | 'unknownSort';
  params?: Record<string, string>;
}

/** Whether path names a field of form (the first segment of a relation path; system fields too). */
function known(form: FormSpec, path: string): boolean {
  const root = path.split('.')[0] ?? '';
  return root in SYSTEM_FIELDS || form.fields.some((f) => f.key === root);
}

/**
 * The problems of a view against its form, each at the spec path the
 * server would name: columns of fields that do not exist or show twice, a
 * kanban without a choice field, a calendar without a date field, a sort
 * by an unknown field. They block publishing.
 */
export function viewProblems(spec: ViewSpec, form: FormSpec | undefined): ViewProblem[] {
  if (!form) return [];
  const out: ViewProblem[] = [];
  const seen = new Set<string>();
  (spec.columns ?? []).forEach((c, i) => {
    if (!known(form, c.field)) out.push({ path: `columns[${i}].field`, code: 'unknownColumn', params: { field: c.field } });
    if (seen.has(c.field)) out.push({ path: `columns[${i}].field`, code: 'duplicateColumn', params: { field: c.field } });
    seen.add(c.field);
  });
  const type = spec.type ?? 'table';
  if (type === 'kanban') {
    if (!spec.groupBy) out.push({ path: 'groupBy', code: 'noGroup' });
    else if (!groupFields(form).some((f) => f.key === spec.groupBy)) out.push({ path: 'groupBy', code: 'badGroup', params: { field: spec.groupBy } });
  }
  if (type === 'calendar') {
    if (!spec.dateField) out.push({ path: 'dateField', code: 'noDate' });
    else if (!dateFields(form).some((f) => f.key === spec.dateField)) out.push({ path: 'dateField', code: 'badDate', params: { field: spec.dateField } });
  }
  for (const k of parseSort(spec.sort)) {
    if (!known(form, k.field)) out.push({ path: 'sort', code: 'unknownSort', params: { field: k.field } });
  }
  return out;
}

/**
 * The messages of problems at path or inside it (columns[1] takes
 * columns[1].width), so each shows on its own element; the server's
 * paths are relative to the spec (useDesigner drops "spec.").
 */
export function problemsAt(problems: readonly { path: string; message: string }[], path: string): string[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`)).map((p) => p.message);
}
