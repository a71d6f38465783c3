import { address } from './address';
import { attachment } from './attachment';
import { autonumber } from './autonumber';
import { barcode } from './barcode';
import { checkbox } from './checkbox';
import { date } from './date';
import { datetime } from './datetime';
import { email } from './email';
import { formula } from './formula';
import { geolocation } from './geolocation';
import { idcard } from './idcard';
import { image } from './image';
import { lookup } from './lookup';
import { money } from './money';
import { multiselect } from './multiselect';
import { number } from './number';
import { orgunit } from './orgunit';
import { percent } from './percent';
import { phone } from './phone';
import { relation } from './relation';
import { richtext } from './richtext';
import { rollup } from './rollup';
import { select } from './select';
import { RawDisplay } from './shared';
import { subtable } from './subtable';
import { text } from './text';
import { textarea } from './textarea';
import type { FieldTypeUI } from './types';
import { user } from './user';

/**
 * The one registry of field type UI halves, keyed like the server's
 * registry (engine/form FieldTypeKeys). embed_test.go checks that the two
 * hold the same keys; a type added on the server needs its <key>.tsx here.
 */
const registry = new Map<string, FieldTypeUI>(
  [
    text,
    textarea,
    richtext,
    number,
    money,
    percent,
    date,
    datetime,
    checkbox,
    select,
    multiselect,
    phone,
    email,
    idcard,
    address,
    geolocation,
    barcode,
    attachment,
    image,
    relation,
    user,
    orgunit,
    subtable,
    formula,
    lookup,
    rollup,
    autonumber,
  ].map((t) => [t.key, t]),
);

/** The registered keys, in palette order. */
export const FIELD_TYPE_KEYS: readonly string[] = [...registry.keys()];

/**
 * The UI of a field type. A type without one (a plugin's, whose UI half is
 * missing) shows its raw value read-only instead of breaking the page.
 */
export function fieldTypeUI(key: string): FieldTypeUI {
  return registry.get(key) ?? { key, stored: () => ({ kind: 'string', ops: [] }), Display: RawDisplay };
}

/** Whether the UI has a renderer for key. */
export function hasFieldTypeUI(key: string): boolean {
  return registry.has(key);
}
