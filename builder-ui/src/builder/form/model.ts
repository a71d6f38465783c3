import type { FieldDef, FilterJson, FormSection, FormSpec } from '../../api/formTypes';
import { paletteItem } from './palette';
import { patched } from '../patch';

/**
 * The form designer's model operations. The working copy is the form spec
 * itself; each operation returns a new spec whose layout puts every field
 * in exactly one section, with spec.fields in layout order (so the order
 * of the list and of the form agree). A spec read from the server is left
 * as it is until its first edit.
 */

/** Field keys: identifiers (engine/meta common.json). */
export const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Where a field goes: a section and a position in it. */
export interface Slot {
  section: number;
  index: number;
}

/** The sections as the designer shows them: the layout's, and fields no section names in a last one. */
export function sectionsOf(spec: FormSpec): FormSection[] {
  const keys = new Set(spec.fields.map((f) => f.key));
  const used = new Set<string>();
  const out: FormSection[] = [];
  for (const s of spec.layout?.sections ?? []) {
    const fields: string[] = [];
    for (const k of s.fields) {
      if (keys.has(k) && !used.has(k)) fields.push(k);
      used.add(k);
    }
    out.push({ ...s, fields });
  }
  const rest = spec.fields.filter((f) => !used.has(f.key)).map((f) => f.key);
  if (out.length === 0) out.push({ columns: 2, fields: rest });
  else if (rest.length > 0) out[out.length - 1] = { ...out[out.length - 1]!, fields: [...out[out.length - 1]!.fields, ...rest] };
  return out;
}

/** A spec with the given sections: fields reordered to match, the layout replaced. */
function withSections(spec: FormSpec, sections: FormSection[], fields: FieldDef[] = spec.fields): FormSpec {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const ordered = sections.flatMap((s) => s.fields.map((k) => byKey.get(k)).filter((f): f is FieldDef => !!f));
  return { ...spec, fields: ordered, layout: { ...spec.layout, sections } };
}

/** The section and index of a field. */
export function slotOf(spec: FormSpec, key: string): Slot | undefined {
  const secs = sectionsOf(spec);
  for (let s = 0; s < secs.length; s++) {
    const i = secs[s]!.fields.indexOf(key);
    if (i >= 0) return { section: s, index: i };
  }
  return undefined;
}

/** A key not yet used in the form: base, base2, base3... */
export function uniqueKey(spec: FormSpec, base: string): string {
  const used = new Set(spec.fields.map((f) => f.key));
  const clean = base.replace(/[^A-Za-z0-9_]/g, '').replace(/^[^A-Za-z]+/, '') || 'field';
  for (let n = 1; ; n++) {
    const k = `${clean}${n}`.slice(0, 64);
    if (!used.has(k)) return k;
  }
}

/** A new field of a type with what it needs to save (choices, a first column, a formula). */
export function newField(spec: FormSpec, type: string, self: string): FieldDef {
  const item = paletteItem(type);
  const key = uniqueKey(spec, type);
  const n = key.slice(type.length);
  const f: FieldDef = { key, type, label: { 'zh-CN': `${item.title['zh-CN']}${n}`, en: `${item.title.en} ${n}` } };
  switch (type) {
    case 'select':
    case 'multiselect':
      f.options = [
        { value: 'option1', label: { 'zh-CN': '选项1', en: 'Option 1' } },
        { value: 'option2', label: { 'zh-CN': '选项2', en: 'Option 2' } },
      ];
      break;
    case 'relation':
      f.form = self;
      break;
    case 'subtable':
      f.fields = [{ key: 'item', type: 'text', label: { 'zh-CN': '名称', en: 'Name' } }];
      break;
    case 'formula':
      f.expression = '0';
      f.resultType = 'number';
      break;
    case 'lookup': {
      const rel = spec.fields.find((x) => x.type === 'relation');
      f.relation = rel?.key ?? '';
      f.field = '';
      break;
    }
    case 'rollup':
      f.form = '';
      f.via = '';
      f.op = 'count';
      f.kind = 'int';
      break;
  }
  return f;
}

/** Inserts field at slot (clamped). */
export function insertField(spec: FormSpec, field: FieldDef, at: Slot): FormSpec {
  const secs = sectionsOf(spec).map((s) => ({ ...s, fields: [...s.fields] }));
  const sec = secs[Math.min(Math.max(at.section, 0), secs.length - 1)]!;
  sec.fields.splice(Math.min(Math.max(at.index, 0), sec.fields.length), 0, field.key);
  return withSections(spec, secs, [...spec.fields, field]);
}

/** Moves a field to a slot; the index is where it lands once moved. */
export function moveField(spec: FormSpec, key: string, to: Slot): FormSpec {
  const from = slotOf(spec, key);
  if (!from) return spec;
  const secs = sectionsOf(spec).map((s) => ({ ...s, fields: s.fields.filter((k) => k !== key) }));
  const sec = secs[Math.min(Math.max(to.section, 0), secs.length - 1)]!;
  sec.fields.splice(Math.min(Math.max(to.index, 0), sec.fields.length), 0, key);
  if (from.section === to.section && from.index === to.index) return spec;
  return withSections(spec, secs);
}

/**
 * Moves a field one place up or down (delta -1 or 1); past the edge of a
 * section it goes to the end of the previous or the start of the next one.
 */
export function nudgeField(spec: FormSpec, key: string, delta: -1 | 1): FormSpec {
  const at = slotOf(spec, key);
  if (!at) return spec;
  const secs = sectionsOf(spec);
  const len = secs[at.section]!.fields.length;
  const index = at.index + delta;
  if (index >= 0 && index < len) return moveField(spec, key, { section: at.section, index });
  const section = at.section + delta;
  if (section < 0 || section >= secs.length) return spec;
  return moveField(spec, key, { section, index: delta < 0 ? secs[section]!.fields.length : 0 });
}

/** Removes a field, and the title field setting naming it. */
export function removeField(spec: FormSpec, key: string): FormSpec {
  const secs = sectionsOf(spec).map((s) => ({ ...s, fields: s.fields.filter((k) => k !== key) }));
  const out = withSections(spec, secs, spec.fields.filter((f) => f.key !== key));
  if (out.titleField === key) delete out.titleField;
  return out;
}

/** A copy of a field right after it, under a fresh key. */
export function duplicateField(spec: FormSpec, key: string): FormSpec {
  const f = spec.fields.find((x) => x.key === key);
  const at = slotOf(spec, key);
  if (!f || !at) return spec;
  const copy: FieldDef = { ...structuredClone(f), key: uniqueKey(spec, key.replace(/\d+$/, '')) };
  return insertField(spec, copy, { section: at.section, index: at.index + 1 });
}

/** Changes a field's settings (not its key: see renameField). Undefined values remove a setting. */
export function updateField(spec: FormSpec, key: string, patch: Partial<FieldDef>): FormSpec {
  return {
    ...spec,
    fields: spec.fields.map((f) => {
      return f.key === key ? { ...patched(f, patch), key } : f;
    }),
  };
}

/** A filter with every condition on field from renamed to to. */
export function renameInFilter(filter: unknown, from: string, to: string): unknown {
  if (Array.isArray(filter)) return filter.map((x) => renameInFilter(x, from, to));
  if (typeof filter !== 'object' || filter === null) return filter;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(filter)) {
    const name = k === from ? to : k.startsWith(`${from}.`) ? to + k.slice(from.length) : k;
    out[name] = k.startsWith('$') ? renameInFilter(v, from, to) : v;
  }
  return out;
}

/** Renames a field's key everywhere the form names it: layout, title field, conditions. */
export function renameField(spec: FormSpec, from: string, to: string): FormSpec {
  if (from === to || spec.fields.some((f) => f.key === to)) return spec;
  const secs = sectionsOf(spec).map((s) => ({ ...s, fields: s.fields.map((k) => (k === from ? to : k)) }));
  const fields = spec.fields.map((f) => {
    const next: FieldDef = f.key === from ? { ...f, key: to } : { ...f };
    if (next.visibleWhen) next.visibleWhen = renameInFilter(next.visibleWhen, from, to) as FilterJson;
    if (next.requiredWhen) next.requiredWhen = renameInFilter(next.requiredWhen, from, to) as FilterJson;
    if (next.type === 'lookup' && next.relation === from) next.relation = to;
    return next;
  });
  const out = withSections(spec, secs, fields);
  if (out.titleField === from) out.titleField = to;
  return out;
}

/** Adds an empty section after index (at the end by default). */
export function addSection(spec: FormSpec, after?: number, columns = 2): FormSpec {
  const secs = sectionsOf(spec);
  const at = after === undefined ? secs.length : after + 1;
  secs.splice(at, 0, { columns, fields: [] });
  return withSections(spec, secs);
}

/** Removes a section; its fields join the section before it (or after, for the first). The last section stays. */
export function removeSection(spec: FormSpec, index: number): FormSpec {
  const secs = sectionsOf(spec);
  if (secs.length <= 1 || !secs[index]) return spec;
  const [gone] = secs.splice(index, 1);
  const heir = secs[Math.max(index - 1, 0)]!;
  const merged = index === 0 ? [...gone!.fields, ...heir.fields] : [...heir.fields, ...gone!.fields];
  secs[Math.max(index - 1, 0)] = { ...heir, fields: merged };
  return withSections(spec, secs);
}

/** Moves a section to another position. */
export function moveSection(spec: FormSpec, from: number, to: number): FormSpec {
  const secs = sectionsOf(spec);
  if (!secs[from] || to < 0 || to >= secs.length || from === to) return spec;
  const [s] = secs.splice(from, 1);
  secs.splice(to, 0, s!);
  return withSections(spec, secs);
}

/** Changes a section's title, columns or collapsed state. */
export function updateSection(spec: FormSpec, index: number, patch: Partial<Omit<FormSection, 'fields'>>): FormSpec {
  const secs = sectionsOf(spec).map((s, i) => (i === index ? patched(s, patch as Partial<FormSection>) : s));
  return withSections(spec, secs);
}
