import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime } from './date';
import { formatMoney } from './money';

// ICU separates time and AM/PM with a narrow no-break space; compare words.
const plain = (s: string) => s.replace(/\s/g, ' ');

describe('formatMoney', () => {
  it.each([
    [1234, 'zh-CN', '¥12.34'],
    [1234, 'en', '¥12.34'],
    [0, 'zh-CN', '¥0.00'],
    [5, 'zh-CN', '¥0.05'],
    [-5, 'en', '-¥0.05'],
    [123456789, 'zh-CN', '¥1,234,567.89'],
    ['100', 'en', '¥1.00'],
    [9007199254740993n, 'zh-CN', '¥90,071,992,547,409.93'],
    ['-123456789012345678901', 'en', '-¥1,234,567,890,123,456,789.01'],
  ] as const)('%s fen in %s is %s', (fen, locale, want) => {
    expect(formatMoney(fen, locale)).toBe(want);
  });

  it('refuses fractions of a fen and text', () => {
    expect(() => formatMoney(12.5, 'zh-CN')).toThrow(RangeError);
    expect(() => formatMoney('12.50', 'zh-CN')).toThrow(RangeError);
    expect(() => formatMoney('abc', 'en')).toThrow(RangeError);
  });
});

describe('formatDate', () => {
  const at = '2026-11-23T06:05:00Z';
  const tz = { timeZone: 'Asia/Shanghai' };

  it('formats per locale', () => {
    expect(formatDate(at, 'zh-CN', tz)).toBe('2026年11月23日');
    expect(formatDate(at, 'en', tz)).toBe('Nov 23, 2026');
    expect(plain(formatDateTime(at, 'zh-CN', tz))).toBe('2026年11月23日 14:05');
    expect(plain(formatDateTime(at, 'en', tz))).toBe('Nov 23, 2026, 2:05 PM');
  });

  it('accepts dates and epoch milliseconds, and is empty for nothing', () => {
    expect(formatDate(new Date(at), 'en', tz)).toBe('Nov 23, 2026');
    expect(formatDate(Date.parse(at), 'en', tz)).toBe('Nov 23, 2026');
    expect(formatDate(undefined, 'en')).toBe('');
    expect(formatDate('not a date', 'en')).toBe('');
  });
});
