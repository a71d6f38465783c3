import type { Locale } from '../i18n/locale';

/** An amount in fen (1/100 yuan): an integer, a bigint or an integer string. */
export type Fen = number | bigint | string;

const formatters = new Map<Locale, Intl.NumberFormat>();

function formatter(locale: Locale): Intl.NumberFormat {
  let f = formatters.get(locale);
  if (!f) {
    // narrowSymbol: "¥" in every locale (en would otherwise say "CN¥").
    f = new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' });
    formatters.set(locale, f);
  }
  return f;
}

/**
 * Formats an amount in fen as yuan: 1234 -> "¥12.34", -5 -> "-¥0.05".
 * The value is split into yuan and fen with integer arithmetic and handed to
 * Intl as a decimal string, so no amount is ever rounded through a float.
 */
export function formatMoney(fen: Fen, locale: Locale): string {
  let n: bigint;
  try {
    n = BigInt(typeof fen === 'string' ? fen.trim() : fen);
  } catch {
    throw new RangeError(`not an amount in fen: ${String(fen)}`);
  }
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const decimal = `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return formatter(locale).format(decimal as Intl.StringNumericLiteral);
}
