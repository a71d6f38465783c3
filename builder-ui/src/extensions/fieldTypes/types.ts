import type { ComponentType } from 'react';
import type { FieldDef } from '../../api/formTypes';
import type { ValueType } from '../../records/filter/model';
import type { StoredShape } from '../../records/stored';

/** Where a field is shown: the app and form, for uploads, pickers and links. */
export interface FieldContext {
  app: string;
  form: string;
  /** Errors below the field (items[2].qty, home.city), by path relative to it. */
  nestedErrors?: Record<string, string[]>;
  /** A table cell or a card: one line, no large widgets. */
  compact?: boolean;
}

/** The edit control of a type. Values are plain JSON (see FieldTypeUI.toForm). */
export interface InputProps {
  field: FieldDef;
  value: unknown;
  onChange: (value: unknown) => void;
  ctx: FieldContext;
  disabled?: boolean;
  /** The id the label points at. */
  id?: string;
}

/** The read-only display of a stored value. */
export interface DisplayProps {
  field: FieldDef;
  value: unknown;
  ctx: FieldContext;
}

/**
 * The UI half of one server field type (engine/form/fieldtype_<key>.go):
 * how values are stored and filtered, an edit control, a display, and the
 * conversions between the stored value (what the API returns), the form
 * value (what the control edits), the request value (what the server's
 * Normalize reads) and the stored value again (for conditions evaluated
 * while typing). Money, for one, is stored in fen, edited and sent as yuan
 * text, and compared in fen.
 */
export interface FieldTypeUI {
  key: string;
  stored(field: FieldDef): StoredShape;
  /** The engine computes the value (formula, lookup, rollup, auto-number): no input. */
  computed?: boolean;
  Input?: ComponentType<InputProps>;
  Display: ComponentType<DisplayProps>;
  /** Stored value -> form value; identity when absent. */
  toForm?(stored: unknown, field: FieldDef): unknown;
  /** A value in request form (a definition's default) -> form value; identity when absent. */
  fromInput?(input: unknown, field: FieldDef): unknown;
  /** Form value -> request value; identity when absent. Blank values are sent as null. */
  toInput?(value: unknown, field: FieldDef): unknown;
  /** Form value -> stored value for conditions; toInput when absent. */
  toStored?(value: unknown, field: FieldDef): unknown;
  /** How the filter builder edits values of this type; from the stored kind when absent. */
  filterValueType?(field: FieldDef): ValueType;
  /** The Input shows errors below the field itself (sub-table cells, address parts). */
  showsNestedErrors?: boolean;
}
