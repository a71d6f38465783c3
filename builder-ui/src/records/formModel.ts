import type { FieldDef, RecordDoc } from '../api/formTypes';
import type { FieldError } from '../api/problem';
import { fieldTypeUI } from '../extensions/fieldTypes/registry';
import { isBlank } from '../extensions/fieldTypes/shared';
import { matchFilter, type KindOf } from './match';
import { SYSTEM_FIELDS, type Kind } from './stored';

/** The values a form edits, by field key (plain JSON, see FieldTypeUI.toForm). */
export type FormValues = Record<string, unknown>;

/** Whether a field shows and must be filled in, for the current values. */
export interface FieldState {
  visible: boolean;
  required: boolean;
}

/** The filterable paths of a form and their kinds: fields, their sub-paths, system fields. */
export function kindOfForm(fields: readonly FieldDef[]): KindOf {
  const m = new Map<string, { kind: Kind; array?: boolean }>();
  for (const [p, kind] of Object.entries(SYSTEM_FIELDS)) m.set(p, { kind });
  for (const f of fields) {
    const s = fieldTypeUI(f.type).stored(f);
    if (s.virtual) continue;
    m.set(f.key, { kind: s.kind, array: !!s.array });
    for (const sub of s.sub ?? []) m.set(`${f.key}.${sub.path}`, { kind: sub.kind, array: !!s.array });
  }
  return (path) => m.get(path);
}

/** A record's values as the form edits them. */
export function toFormValues(fields: readonly FieldDef[], rec: RecordDoc | Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const v = rec[f.key];
    if (isBlank(v)) continue;
    const ui = fieldTypeUI(f.type);
    out[f.key] = ui.toForm ? ui.toForm(v, f) : v;
  }
  return out;
}

/** The fixed defaults of a new record ({formula} defaults are the server's to compute). */
export function defaultValues(fields: readonly FieldDef[]): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const d = f.default;
    if (d === undefined || d === null || (typeof d === 'object' && !Array.isArray(d) && 'formula' in d)) continue;
    const ui = fieldTypeUI(f.type);
    out[f.key] = ui.fromInput ? ui.fromInput(d, f) : d;
  }
  return out;
}

/** A form value as the request carries it; blank values are null. */
export function toRequestValue(f: FieldDef, v: unknown): unknown {
  if (isBlank(v)) return null;
  const ui = fieldTypeUI(f.type);
  const out = ui.toInput ? ui.toInput(v, f) : v;
  return isBlank(out) ? null : out;
}

/** A form value in its stored shape (money in fen...); null when blank. */
export function toStoredValue(f: FieldDef, v: unknown): unknown {
  if (isBlank(v)) return null;
  const ui = fieldTypeUI(f.type);
  const s = ui.toStored ? ui.toStored(v, f) : toRequestValue(f, v);
  return isBlank(s) ? null : s;
}

/** The values in their stored shape, for conditions. */
export function toStoredValues(fields: readonly FieldDef[], values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const s = toStoredValue(f, values[f.key]);
    if (s !== null) out[f.key] = s;
  }
  return out;
}

/**
 * Which fields show and which are required, with the server's rules: a
 * field is hidden by hidden: true or an unmet visibleWhen; it is required
 * when marked so or when requiredWhen is met, and a hidden field is never
 * required. Conditions see the values as the server will store them, and
 * the record's system fields when editing.
 */
export function fieldStates(fields: readonly FieldDef[], values: FormValues, system: Record<string, unknown> = {}): Map<string, FieldState> {
  const kindOf = kindOfForm(fields);
  const doc = { ...system, ...toStoredValues(fields, values) };
  const out = new Map<string, FieldState>();
  for (const f of fields) {
    const visible = !f.hidden && (f.visibleWhen ? matchFilter(f.visibleWhen, doc, kindOf) : true);
    const required = visible && (f.required === true || (f.requiredWhen ? matchFilter(f.requiredWhen, doc, kindOf) : false));
    out.set(f.key, { visible, required });
  }
  return out;
}

/** Whether the user edits the field (not computed, not read-only). */
export function editable(f: FieldDef): boolean {
  const ui = fieldTypeUI(f.type);
  return !ui.computed && !f.readOnly && !!ui.Input;
}

/** The keys of visible required fields left blank. */
export function missingRequired(fields: readonly FieldDef[], values: FormValues, states: Map<string, FieldState>): string[] {
  return fields.filter((f) => editable(f) && states.get(f.key)?.required && toRequestValue(f, values[f.key]) === null).map((f) => f.key);
}

/** The body of a create: the visible, editable fields that have a value. */
export function createBody(fields: readonly FieldDef[], values: FormValues, states: Map<string, FieldState>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!editable(f) || !states.get(f.key)?.visible) continue;
    const v = toRequestValue(f, values[f.key]);
    if (v !== null) out[f.key] = v;
  }
  return out;
}

/**
 * A merge patch of the editable fields whose value changed (null clears
 * one). Values are compared as stored, so retyping 12.30 as 12.3 is no change.
 */
export function patchBody(fields: readonly FieldDef[], before: FormValues, values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!editable(f)) continue;
    const a = toStoredValue(f, before[f.key]);
    const b = toStoredValue(f, values[f.key]);
    if (JSON.stringify(a) !== JSON.stringify(b)) out[f.key] = toRequestValue(f, values[f.key]);
  }
  return out;
}

/** Server errors by field key; below a field (items[2].qty, home.city) by the path relative to it. */
export interface FieldErrors {
  own: Record<string, string[]>;
  nested: Record<string, Record<string, string[]>>;
  /** Errors that name no field of the form. */
  other: string[];
}

/** Sorts a problem's errors[].path onto the form's fields. */
export function sortFieldErrors(fields: readonly FieldDef[], errors: readonly FieldError[]): FieldErrors {
  const keys = new Set(fields.map((f) => f.key));
  const out: FieldErrors = { own: {}, nested: {}, other: [] };
  for (const e of errors) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec(e.path);
    const key = m?.[1];
    if (!m || !key || !keys.has(key)) {
      out.other.push(e.path ? `${e.path}: ${e.message}` : e.message);
      continue;
    }
    const rest = (m[2] ?? '').replace(/^\./, '');
    if (rest === '') (out.own[key] ??= []).push(e.message);
    else ((out.nested[key] ??= {})[rest] ??= []).push(e.message);
  }
  return out;
}
