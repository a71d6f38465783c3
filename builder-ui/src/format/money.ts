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

/** Why a typed amount was refused. */
export type YuanProblem = 'format' | 'precision';

/** A typed amount read exactly: fen as a bigint, or the reason it is not an amount. */
export type YuanParse = { ok: true; fen: bigint } | { ok: false; problem: YuanProblem };

const yuanRe = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/**
 * Reads an amount typed in yuan ("12.3", "-0.05", "1,234.50", "¥8") into
 * fen with string arithmetic only. More decimals than precision (0–2) are
 * refused, never rounded, exactly as the server refuses them.
 */
export function parseYuan(text: string, precision = 2): YuanParse {
  const s = text.trim().replace(/^[¥￥]/, '').replace(/[,，\s]/g, '');
  const m = yuanRe.exec(s);
  if (!m) return { ok: false, problem: 'format' };
  const [, sign = '', whole = '0', frac = ''] = m;
  if (frac.replace(/0+$/, '').length > precision) return { ok: false, problem: 'precision' };
  const fen = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return { ok: true, fen: sign === '-' ? -fen : fen };
}

/** Fen as plain yuan text with two decimals: 1230 -> "12.30", -5 -> "-0.05". */
export function fenToYuan(fen: Fen): string {
  const n = BigInt(typeof fen === 'string' ? fen.trim() : fen);
  const abs = n < 0n ? -n : n;
  return `${n < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** A fen amount as a JSON value: a number while it is exact, text beyond 2^53. */
export function fenToJson(fen: bigint): number | string {
  const n = Number(fen);
  return Number.isSafeInteger(n) ? n : fen.toString();
}
