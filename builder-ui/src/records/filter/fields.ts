import type { FieldDef, FormSpec } from '../../api/formTypes';
import { kindValueType } from '../../extensions/fieldTypes/formula';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { systemField } from '../columns';
import type { FilterField } from './model';
import { operatorsFor } from './operators';

function fromField(f: FieldDef): FilterField[] {
  const ui = fieldTypeUI(f.type);
  const s = ui.stored(f);
  if (s.virtual) return [];
  const out: FilterField[] = [];
  const top: FilterField = { path: f.key, label: f.label, kind: s.kind, valueType: ui.filterValueType?.(f) ?? kindValueType(s.kind) };
  if (s.array) top.array = true;
  if (s.ops) top.ops = s.ops;
  if (f.options) top.options = f.options;
  if (top.valueType === 'id') top.def = f;
  if (f.type === 'money') top.precision = typeof f.precision === 'number' ? f.precision : 2;
  out.push(top);
  for (const sub of s.sub ?? []) {
    out.push({ path: `${f.key}.${sub.path}`, label: f.label, kind: sub.kind, valueType: kindValueType(sub.kind) });
  }
  return out;
}

/** What the filter builder offers for a form: its filterable fields, their parts, and the record times. */
export function filterFields(spec: FormSpec): FilterField[] {
  const out = spec.fields.flatMap(fromField);
  for (const key of ['_createdAt', '_updatedAt']) {
    const f = systemField(key);
    if (f) out.push({ path: key, label: f.label, kind: 'time', valueType: 'time' });
  }
  return out.filter((f) => operatorsFor(f).length > 0);
}
