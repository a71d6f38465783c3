/** Exact decimal text: an optional sign, digits, an optional fraction. */
const decRe = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** A decimal split into an integer and a power of ten: 12.5 -> 125 / 10^1. */
interface Scaled {
  int: bigint;
  scale: number;
}

function scaled(v: unknown): Scaled | undefined {
  let s: string;
  if (typeof v === 'bigint') return { int: v, scale: 0 };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    // Shortest round-trip text; exponents only appear outside what the
    // server stores (30 integer digits, 18 decimals) and are read below.
    s = Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : expandExponent(String(v));
  } else if (typeof v === 'string') {
    s = v.trim();
  } else {
    return undefined;
  }
  const m = decRe.exec(s);
  if (!m) return undefined;
  const [, sign = '', whole = '0', frac = ''] = m;
  const int = BigInt(whole + frac);
  return { int: sign === '-' ? -int : int, scale: frac.length };
}

function expandExponent(s: string): string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (!m) return s;
  const [, sign = '', whole = '', frac = '', expText = '0'] = m;
  const exp = Number(expText);
  const digits = whole + frac;
  const point = whole.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Compares two numbers given as numbers, bigints or decimal text, exactly
 * (no float arithmetic): -1, 0 or 1; undefined when either is not a number.
 */
export function compareDecimal(a: unknown, b: unknown): number | undefined {
  const x = scaled(a);
  const y = scaled(b);
  if (!x || !y) return undefined;
  const scale = Math.max(x.scale, y.scale);
  const xi = x.int * 10n ** BigInt(scale - x.scale);
  const yi = y.int * 10n ** BigInt(scale - y.scale);
  return xi < yi ? -1 : xi > yi ? 1 : 0;
}

/** Whether text is a decimal number as the server reads it. */
export function isDecimalText(text: string): boolean {
  return decRe.test(text.trim());
}
