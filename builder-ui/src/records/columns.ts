import type { FieldDef, FormSpec, ViewColumn } from '../api/formTypes';
import type { LocalizedText } from '../api/types';
import { fieldTypeUI } from '../extensions/fieldTypes/registry';
import { publishedForm } from './resolve';
import { SYSTEM_FIELDS } from './stored';

/** One step through a relation: the target form and the key read there. */
export interface Hop {
  form: string;
  key: string;
}

/**
 * A list column made ready to render: the field whose type shows the
 * value, the relations crossed to reach it (member.name crosses "member"),
 * the sub-path inside a value (home.province), and whether the server can
 * sort by it.
 */
export interface ResolvedColumn {
  path: string;
  /** The labels along the path (会员 / 姓名). */
  labels: LocalizedText[];
  /** The view's own label, when it gives one. */
  label?: LocalizedText;
  field: FieldDef;
  /** The form the shown field belongs to. */
  form: string;
  /** The top-level key of the record the value starts from. */
  root: string;
  hops: Hop[];
  /** A path inside the value of the last field (address part, point coordinate). */
  sub?: string;
  sortable: boolean;
  width?: number;
  fixed?: 'left' | 'right';
}

const SYSTEM_LABELS: Record<string, LocalizedText> = {
  _id: { 'zh-CN': '记录 ID', en: 'Record ID' },
  _version: { 'zh-CN': '版本', en: 'Version' },
  _createdAt: { 'zh-CN': '创建时间', en: 'Created' },
  _updatedAt: { 'zh-CN': '更新时间', en: 'Updated' },
  _createdBy: { 'zh-CN': '创建人', en: 'Created by' },
  _updatedBy: { 'zh-CN': '更新人', en: 'Updated by' },
  _state: { 'zh-CN': '状态', en: 'State' },
  _deleted: { 'zh-CN': '已删除', en: 'Deleted' },
};

/** A system field as a field definition, so types render it (times as datetime, users as user). */
export function systemField(key: string): FieldDef | undefined {
  const kind = SYSTEM_FIELDS[key];
  if (!kind) return undefined;
  const type = kind === 'time' ? 'datetime' : key === '_createdBy' || key === '_updatedBy' ? 'user' : kind === 'int' ? 'number' : kind === 'bool' ? 'checkbox' : 'text';
  return { key, type, label: SYSTEM_LABELS[key] ?? key };
}

function sortableField(f: FieldDef): boolean {
  const s = fieldTypeUI(f.type).stored(f);
  return !s.virtual && !s.array && !(s.ops && s.ops.length === 1 && s.ops[0] === 'exists');
}

/** Resolves a view column against the form (and the forms its relations lead to). */
export async function resolveColumn(app: string, form: string, spec: FormSpec, col: ViewColumn): Promise<ResolvedColumn | undefined> {
  const parts = col.field.split('.');
  const root = parts[0] ?? '';
  const sys = systemField(root);
  const base = { path: col.field, label: col.label, width: col.width, fixed: col.fixed, root };
  if (sys) return { ...base, labels: [sys.label], field: sys, form, hops: [], sortable: parts.length === 1 };
  let field = spec.fields.find((f) => f.key === root);
  if (!field) return undefined;
  const labels: LocalizedText[] = [field.label];
  const hops: Hop[] = [];
  let curForm = form;
  let i = 1;
  while (i < parts.length && field.type === 'relation' && typeof field.form === 'string') {
    const target = field.form;
    let tspec: FormSpec;
    try {
      tspec = (await publishedForm(app, target)).spec;
    } catch {
      return undefined;
    }
    const key = parts[i] ?? '';
    const next = tspec.fields.find((f) => f.key === key) ?? systemField(key);
    if (!next) return undefined;
    hops.push({ form: target, key });
    labels.push(next.label);
    field = next;
    curForm = target;
    i += 1;
  }
  const sub = i < parts.length ? parts.slice(i).join('.') : undefined;
  const out: ResolvedColumn = { ...base, labels, field, form: curForm, hops, sortable: hops.length === 0 && !sub && sortableField(field) };
  if (sub) {
    out.sub = sub;
    // Sub-paths the type declares (home.province) sort like any scalar path.
    out.sortable = hops.length === 0 && !!fieldTypeUI(field.type).stored(field).sub?.some((s) => s.path === sub);
  }
  return out;
}

/** The columns of a list: the view's, else the form's first fields and the update time. */
export function defaultColumns(spec: FormSpec): ViewColumn[] {
  const skip = new Set(['subtable', 'richtext', 'textarea', 'attachment', 'geolocation']);
  const cols = spec.fields.filter((f) => !f.hidden && !skip.has(f.type)).slice(0, 8).map((f) => ({ field: f.key }));
  return [...cols, { field: '_updatedAt' }];
}

export async function resolveColumns(app: string, form: string, spec: FormSpec, cols: ViewColumn[]): Promise<ResolvedColumn[]> {
  const out = await Promise.all(cols.map((c) => resolveColumn(app, form, spec, c)));
  return out.filter((c): c is ResolvedColumn => !!c);
}
