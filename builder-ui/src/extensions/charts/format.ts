import type { NumberFormat, ReportColumn } from '../../dashboards/api';
import type { Locale } from '../../i18n/locale';
import { translate } from '../../i18n/translate';

/**
 * Numbers of report results as people read them. Rows hold money in fen
 * and decimals as exact text; chart options hold money in yuan. Texts are
 * made from the exact digits (Intl formats decimal strings without a
 * float); only plotting turns values into JavaScript numbers.
 */

const decimalRe = /^(-?)(\d+)(?:\.(\d+))?$/;

/** A value as a plotted number: numbers as they are, numeric text parsed; anything else null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && decimalRe.test(v.trim())) return Number(v);
  return null;
}

/** The exact decimal text of a number value, or undefined for anything else. */
function decimalText(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string' && decimalRe.test(v.trim())) return v.trim();
  return undefined;
}

/** Moves the decimal point two places left, exactly: fen to yuan ("12887.03" -> "128.8703", 5 -> "0.05"). */
export function fenToYuanText(v: number | string): string {
  const m = decimalRe.exec(typeof v === 'number' ? String(v) : v.trim());
  if (!m) throw new RangeError(`not a decimal: ${String(v)}`);
  const [, sign = '', whole = '0', frac = ''] = m;
  const digits = whole.padStart(3, '0');
  const int = digits.slice(0, -2).replace(/^0+(?=\d)/, '');
  const out = `${int}.${digits.slice(-2)}${frac}`.replace(/\.?0+$/, '');
  return out === '0' || out === '' ? '0' : `${sign}${out}`;
}

const cache = new Map<string, Intl.NumberFormat>();

function nf(locale: Locale, kind: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${kind}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, opts);
    cache.set(key, f);
  }
  return f;
}

const money = { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' } as const;

function fmt(f: Intl.NumberFormat, text: string): string {
  return f.format(text as Intl.StringNumericLiteral);
}

/**
 * A value in the units a format names: yuan for money, a ratio for
 * percent, a plain number otherwise; compact shortens large numbers
 * (1.2万, 12K) for axes and cards on phones. null and non-numbers read "—".
 */
export function formatUnits(v: unknown, format: NumberFormat | undefined, locale: Locale, compact = false): string {
  const text = decimalText(v);
  if (text === undefined) return v === null || v === undefined ? '—' : String(v);
  const c = compact ? 'c' : '';
  switch (format) {
    case 'money':
      return fmt(nf(locale, `money${c}`, compact ? { ...money, notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 } : money), text);
    case 'percent':
      return fmt(nf(locale, 'percent', { style: 'percent', maximumFractionDigits: 1 }), text);
    default:
      return fmt(nf(locale, `number${c}`, compact ? { notation: 'compact', maximumFractionDigits: 1 } : { maximumFractionDigits: 2 }), text);
  }
}

/** A result cell's value (money in fen) as people read it. */
export function formatMeasure(v: unknown, format: NumberFormat | undefined, locale: Locale, compact = false): string {
  if (format === 'money') {
    const text = decimalText(v);
    return text === undefined ? formatUnits(v, format, locale) : formatUnits(fenToYuanText(text), 'money', locale, compact);
  }
  return formatUnits(v, format, locale, compact);
}

/** The label of the others row. */
export function othersLabel(locale: Locale): string {
  return translate(locale, 'charts.others');
}

const weekdays = new Map<Locale, string[]>();

/** ISO weekday names, Monday first. */
function weekdayNames(locale: Locale): string[] {
  let names = weekdays.get(locale);
  if (!names) {
    const f = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
    // 2024-01-01 was a Monday.
    names = Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2024, 0, 1 + i))));
    weekdays.set(locale, names);
  }
  return names;
}

/** A dimension value as people read it: its label, a weekday or hour name, or the value; null reads "—". */
export function dimensionText(col: Pick<ReportColumn, 'labels' | 'bucket' | 'type'>, v: unknown, locale: Locale): string {
  if (v === null || v === undefined) return '—';
  const s = String(v);
  const label = col.labels?.[s];
  if (label !== undefined) return label;
  if (col.bucket === 'dayOfWeek') {
    const n = Number(s);
    return n >= 1 && n <= 7 ? (weekdayNames(locale)[n - 1] ?? s) : s;
  }
  if (col.bucket === 'hourOfDay') return `${s.padStart(2, '0')}:00`;
  if (col.type === 'bool') return translate(locale, v === true || s === 'true' ? 'charts.yes' : 'charts.no');
  return s;
}
