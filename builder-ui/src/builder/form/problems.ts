import type { FieldDef, FormSpec } from '../../api/formTypes';
import { FIELD_KEY } from './model';

/** A mistake the designer can see before the server does, at a field (or the form when field is absent). */
export interface FormProblem {
  field?: string;
  /** builder.problem.<code> */
  code: 'duplicateKey' | 'badKey' | 'noLabel' | 'noOptions' | 'duplicateOption' | 'noTarget' | 'lookupRelation' | 'lookupField' | 'rollup' | 'noExpression' | 'noColumns' | 'unknownCondition' | 'titleField';
  params?: Record<string, string>;
}

function labelled(f: FieldDef): boolean {
  if (typeof f.label === 'string') return f.label.trim() !== '';
  return Object.values(f.label ?? {}).some((v) => typeof v === 'string' && v.trim() !== '');
}

/** The field keys a filter names (its non-operator keys, down through $and/$or/$not). */
export function filterKeys(filter: unknown): string[] {
  if (Array.isArray(filter)) return filter.flatMap(filterKeys);
  if (typeof filter !== 'object' || filter === null) return [];
  return Object.entries(filter).flatMap(([k, v]) => (k.startsWith('$') ? filterKeys(v) : [k.split('.')[0]!]));
}

const SYSTEM = new Set(['_id', '_state', '_createdAt', '_createdBy', '_updatedAt', '_updatedBy', '_version']);

/**
 * The problems of a form the designer shows on the canvas before saving:
 * keys, labels, choices, the targets of relations, lookups and rollups,
 * formulas, sub-table columns, conditions on fields that do not exist.
 * The server checks everything again (and more) on save.
 */
export function formProblems(spec: FormSpec): FormProblem[] {
  const out: FormProblem[] = [];
  const keys = new Set<string>();
  const byKey = new Map(spec.fields.map((f) => [f.key, f]));
  for (const f of spec.fields) {
    const at = f.key;
    if (keys.has(f.key)) out.push({ field: at, code: 'duplicateKey', params: { key: f.key } });
    keys.add(f.key);
    if (!FIELD_KEY.test(f.key)) out.push({ field: at, code: 'badKey', params: { key: f.key } });
    if (!labelled(f)) out.push({ field: at, code: 'noLabel' });
    if (f.type === 'select' || f.type === 'multiselect') {
      const values = (f.options ?? []).map((o) => o.value);
      if (values.length === 0) out.push({ field: at, code: 'noOptions' });
      const dup = values.find((v, i) => values.indexOf(v) !== i);
      if (dup !== undefined) out.push({ field: at, code: 'duplicateOption', params: { value: dup } });
    }
    if (f.type === 'relation' && !f.form) out.push({ field: at, code: 'noTarget' });
    if (f.type === 'lookup') {
      if (byKey.get(String(f.relation ?? ''))?.type !== 'relation') out.push({ field: at, code: 'lookupRelation' });
      else if (!f.field) out.push({ field: at, code: 'lookupField' });
    }
    if (f.type === 'rollup' && (!f.form || !f.via || !f.op || (f.op !== 'count' && !f.field))) out.push({ field: at, code: 'rollup' });
    if (f.type === 'formula' && !(typeof f.expression === 'string' && f.expression.trim())) out.push({ field: at, code: 'noExpression' });
    if (f.type === 'subtable' && !(Array.isArray(f.fields) && f.fields.length > 0)) out.push({ field: at, code: 'noColumns' });
    for (const k of [...filterKeys(f.visibleWhen), ...filterKeys(f.requiredWhen)]) {
      if (!byKey.has(k) && !SYSTEM.has(k)) out.push({ field: at, code: 'unknownCondition', params: { key: k } });
    }
  }
  if (spec.titleField && !byKey.has(spec.titleField)) out.push({ code: 'titleField', params: { key: spec.titleField } });
  return out;
}
