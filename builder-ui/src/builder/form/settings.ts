/**
 * The type-specific settings the property panel edits with plain controls
 * (engine/form: each type's Spec.Config). Settings with editors of their
 * own (options, relation target, lookup, rollup, formula, sub-table
 * columns) are handled by those editors and listed in SPECIAL_SETTINGS.
 * settings.test.ts checks every name against the server's settings schema
 * of the type, so the panel never offers a setting the server refuses.
 */
export type SettingKind = 'int' | 'number' | 'text' | 'bool' | 'enum' | 'date' | 'tags';

export interface Setting {
  name: string;
  kind: SettingKind;
  values?: readonly string[];
  min?: number;
  max?: number;
}

const i = (name: string, min?: number, max?: number): Setting => {
  const s: Setting = { name, kind: 'int' };
  if (min !== undefined) s.min = min;
  if (max !== undefined) s.max = max;
  return s;
};
const n = (name: string): Setting => ({ name, kind: 'number' });
const s = (name: string): Setting => ({ name, kind: 'text' });
const b = (name: string): Setting => ({ name, kind: 'bool' });
const e = (name: string, values: readonly string[]): Setting => ({ name, kind: 'enum', values });

const ref = [b('multiple'), i('maxItems', 1, 1000)];
const files = [i('maxFiles', 1, 100), i('maxSize', 1), { name: 'accept', kind: 'tags' } as Setting];

export const TYPE_SETTINGS: Readonly<Record<string, readonly Setting[]>> = {
  text: [i('maxLength', 1, 10000), i('minLength', 0, 10000), s('pattern')],
  textarea: [i('maxLength', 1, 100000), i('minLength', 0, 100000), i('rows', 1, 50)],
  richtext: [i('maxLength', 1, 1000000)],
  number: [i('precision', 0, 18), n('min'), n('max'), s('unit')],
  money: [i('precision', 0, 2), n('min'), n('max'), s('currency')],
  percent: [i('precision', 0, 4), n('min'), n('max')],
  date: [{ name: 'min', kind: 'date' }, { name: 'max', kind: 'date' }],
  datetime: [s('timeZone')],
  checkbox: [e('display', ['checkbox', 'switch'])],
  select: [e('display', ['dropdown', 'radio'])],
  multiselect: [i('minItems', 0, 1000), i('maxItems', 1, 1000), e('display', ['dropdown', 'checkbox', 'tags'])],
  phone: [e('accept', ['any', 'mobile', 'landline']), s('mask')],
  email: [],
  idcard: [s('mask')],
  address: [e('level', ['province', 'city', 'district']), i('detailMaxLength', 0, 1000)],
  attachment: files,
  image: files,
  relation: ref,
  user: [...ref, b('defaultToCurrent')],
  orgunit: [...ref, b('defaultToCurrent')],
  subtable: [i('minRows', 0, 1000), i('maxRows', 1, 1000)],
  barcode: [e('symbology', ['any', 'ean13', 'code128', 'qr']), i('maxLength', 1, 4096), b('scan')],
  geolocation: [e('coordSystem', ['gcj02', 'wgs84', 'bd09'])],
  formula: [],
  lookup: [],
  rollup: [],
  autonumber: [s('pattern')],
};

/** Settings edited by their own editors, by type. */
export const SPECIAL_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  select: ['options'],
  multiselect: ['options'],
  relation: ['form'],
  subtable: ['fields'],
  formula: ['expression', 'resultType'],
  lookup: ['relation', 'field', 'kind'],
  rollup: ['form', 'via', 'op', 'field', 'kind'],
};
