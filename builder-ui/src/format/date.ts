import type { Locale } from '../i18n/locale';

/** A date-time from the API (RFC 3339 string), a Date, or epoch milliseconds. */
export type DateInput = string | number | Date;

function toDate(v: DateInput): Date | undefined {
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Options shared by the formatters; timeZone defaults to the browser's. */
export interface DateFormatOptions {
  timeZone?: string;
}

/** "2026年11月23日" / "Nov 23, 2026"; empty for a missing or invalid value. */
export function formatDate(v: DateInput | undefined, locale: Locale, opts: DateFormatOptions = {}): string {
  const d = v === undefined ? undefined : toDate(v);
  if (!d) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', ...opts }).format(d);
}

/** "2026年11月23日 14:05" / "Nov 23, 2026, 2:05 PM"; empty for a missing or invalid value. */
export function formatDateTime(v: DateInput | undefined, locale: Locale, opts: DateFormatOptions = {}): string {
  const d = v === undefined ? undefined : toDate(v);
  if (!d) return '';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...opts }).format(d);
}
