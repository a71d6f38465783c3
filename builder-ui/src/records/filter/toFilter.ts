import dayjs from 'dayjs';
import type { FilterJson } from '../../api/formTypes';
import { fenToJson, parseYuan } from '../../format/money';
import { isDecimalText } from '../decimal';
import { presetRange } from './datePresets';
import { DATE_PRESETS, type Condition, type DatePreset, type FilterField, type Group } from './model';
import { arityOf } from './operators';

/** The filter JSON of a builder tree, and the conditions left out as incomplete. */
export interface BuiltFilter {
  filter: FilterJson | undefined;
  incomplete: string[];
}

const NO_VALUE = Symbol('no value');
type Encoded = unknown;

/** A typed value as the server reads it for the field, or NO_VALUE when it is not one. */
function encode(f: FilterField, v: unknown): Encoded | typeof NO_VALUE {
  if (v === undefined || v === null) return NO_VALUE;
  switch (f.valueType) {
    case 'bool':
      return typeof v === 'boolean' ? v : NO_VALUE;
    case 'int': {
      const s = String(v).trim();
      if (!/^[+-]?\d+$/.test(s)) return NO_VALUE;
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : NO_VALUE;
    }
    case 'decimal': {
      const s = String(v).trim();
      return isDecimalText(s) ? s.replace(/^\+/, '') : NO_VALUE;
    }
    case 'money': {
      const r = parseYuan(String(v), f.precision ?? 2);
      return r.ok ? fenToJson(r.fen) : NO_VALUE;
    }
    case 'date':
    case 'time': {
      const s = String(v).trim();
      return /^\d{4}-\d{2}-\d{2}$/.test(s) && dayjs(s).isValid() ? s : NO_VALUE;
    }
  }
  const s = String(v);
  return s.trim() === '' ? NO_VALUE : s;
}

/** The start of a day in the browser's zone, as the server's canonical time text. */
function dayStart(date: string, addDays = 0): string {
  return dayjs(date).startOf('day').add(addDays, 'day').toISOString();
}

/**
 * A day range on a date or time field: dates compare as text inclusive,
 * times from the first day's midnight to the midnight after the last
 * (browser time zone), so "today" on a date-time field means today here.
 */
function range(f: FilterField, from: string | undefined, to: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.kind === 'time') {
    if (from !== undefined) out.$gte = dayStart(from);
    if (to !== undefined) out.$lt = dayStart(to, 1);
  } else {
    if (from !== undefined) out.$gte = from;
    if (to !== undefined) out.$lte = to;
  }
  return out;
}

function isDay(f: FilterField): boolean {
  return f.kind === 'date' || f.kind === 'time';
}

/** One condition as filter JSON, or undefined when it is incomplete. */
export function conditionFilter(c: Condition, f: FilterField, now: Date): FilterJson | undefined {
  const at = (cond: unknown): FilterJson => ({ [f.path]: cond });
  if ((DATE_PRESETS as string[]).includes(c.op)) {
    const [from, to] = presetRange(c.op as DatePreset, now);
    return at(range(f, from.format('YYYY-MM-DD'), to.format('YYYY-MM-DD')));
  }
  switch (c.op) {
    case 'empty':
      return at({ $exists: false });
    case 'notEmpty':
      return at({ $exists: true });
    case 'isTrue':
      return at({ $eq: true });
    case 'isFalse':
      // An unset checkbox means no: ne matches null as well as false.
      return at({ $ne: true });
  }
  const arity = arityOf(c.op);
  if (arity === 'list') {
    const list = Array.isArray(c.value) ? c.value.map((v) => encode(f, v)) : [];
    if (list.length === 0 || list.includes(NO_VALUE)) return undefined;
    return at({ [`$${c.op}`]: list });
  }
  if (arity === 'pair') {
    const [a, b] = Array.isArray(c.value) ? c.value : [];
    const from = a === undefined || a === null || a === '' ? undefined : encode(f, a);
    const to = b === undefined || b === null || b === '' ? undefined : encode(f, b);
    if (from === NO_VALUE || to === NO_VALUE || (from === undefined && to === undefined)) return undefined;
    if (isDay(f)) return at(range(f, from as string | undefined, to as string | undefined));
    const cond: Record<string, unknown> = {};
    if (from !== undefined) cond.$gte = from;
    if (to !== undefined) cond.$lte = to;
    return at(cond);
  }
  const v = encode(f, c.value);
  if (v === NO_VALUE) return undefined;
  if (isDay(f) && f.kind === 'time') {
    // A day picked for a date-time field: "on", "before" and "after" that day.
    const day = v as string;
    if (c.op === 'eq') return at(range(f, day, day));
    if (c.op === 'lt') return at({ $lt: dayStart(day) });
    if (c.op === 'lte') return at({ $lt: dayStart(day, 1) });
    if (c.op === 'gt') return at({ $gte: dayStart(day, 1) });
    if (c.op === 'gte') return at({ $gte: dayStart(day) });
  }
  if (c.op === 'notContains') return { $not: at({ $contains: v }) };
  return at({ [`$${c.op}`]: v });
}

function groupFilter(g: Group, fields: ReadonlyMap<string, FilterField>, now: Date, incomplete: string[]): FilterJson | undefined {
  const parts: FilterJson[] = [];
  for (const it of g.items) {
    let part: FilterJson | undefined;
    if (it.type === 'group') {
      part = groupFilter(it, fields, now, incomplete);
    } else {
      const f = fields.get(it.field);
      part = f ? conditionFilter(it, f, now) : undefined;
      if (!part) incomplete.push(it.id);
    }
    if (part) parts.push(part);
  }
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return { [`$${g.conj}`]: parts };
}

/**
 * The server's filter JSON for a builder tree. Conditions without a usable
 * value are left out (and listed, so the builder can mark them); relative
 * date presets are resolved against now.
 */
export function buildFilter(root: Group, fields: readonly FilterField[], now: Date = new Date()): BuiltFilter {
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const incomplete: string[] = [];
  return { filter: groupFilter(root, byPath, now, incomplete), incomplete };
}

/** Both filters when both are set ({$and: [a, b]}), else the one that is. */
export function andFilters(...filters: (FilterJson | undefined)[]): FilterJson | undefined {
  const set = filters.filter((f): f is FilterJson => !!f && Object.keys(f).length > 0);
  if (set.length === 0) return undefined;
  if (set.length === 1) return set[0];
  return { $and: set };
}
