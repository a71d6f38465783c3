import type { LocalizedText } from '../../api/types';
import type { Kind, QueryOp } from '../stored';

/**
 * What a value editor edits and how it goes into the filter: text, exact
 * numbers, money typed in yuan (sent as fen), dates, date-times, yes/no,
 * option codes, record/user/unit ids.
 */
export type ValueType = 'text' | 'int' | 'decimal' | 'money' | 'date' | 'time' | 'bool' | 'option' | 'id';

/** A path the filter builder offers: a field, a sub-path or a system field. */
export interface FilterField {
  path: string;
  label: LocalizedText;
  kind: Kind;
  array?: boolean;
  /** The server's operators for the field; all of the kind's when absent. */
  ops?: QueryOp[];
  valueType: ValueType;
  /** Choices of a select or multiselect. */
  options?: { value: string; label: LocalizedText; color?: string }[];
  /** Fraction digits typed for money (0–2). */
  precision?: number;
  /** The field itself, for types whose own picker edits values (relations, users, units). */
  def?: import('../../api/formTypes').FieldDef;
}

/**
 * The operators of the builder. Several map to one server operator with a
 * value (isTrue is eq true), to two (between is gte and lte), or to a
 * negation (notContains); the date presets need no value at all.
 */
export type BuilderOp =
  | 'eq'
  | 'ne'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'between'
  | 'in'
  | 'nin'
  | 'contains'
  | 'notContains'
  | 'startsWith'
  | 'empty'
  | 'notEmpty'
  | 'isTrue'
  | 'isFalse'
  | DatePreset;

/** Relative date ranges, computed when the filter is built (so a saved view stays relative). */
export type DatePreset = 'today' | 'yesterday' | 'last7Days' | 'last30Days' | 'thisWeek' | 'thisMonth' | 'lastMonth' | 'thisYear';

export const DATE_PRESETS: DatePreset[] = ['today', 'yesterday', 'last7Days', 'last30Days', 'thisWeek', 'thisMonth', 'lastMonth', 'thisYear'];

/** One condition: field, operator, value (a list for in/nin, a pair for between). */
export interface Condition {
  type: 'condition';
  id: string;
  field: string;
  op: BuilderOp;
  value?: unknown;
}

/** Conditions and groups joined by AND or OR. */
export interface Group {
  type: 'group';
  id: string;
  conj: 'and' | 'or';
  items: (Condition | Group)[];
}

let seq = 0;

/** A fresh id for a condition or group (unique within the page). */
export function newId(): string {
  seq += 1;
  return `n${Date.now().toString(36)}${seq}`;
}

export function emptyGroup(conj: Group['conj'] = 'and'): Group {
  return { type: 'group', id: newId(), conj, items: [] };
}
