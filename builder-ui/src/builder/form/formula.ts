/**
 * The functions formulas may call (engine/script stdlib.go; formula.test.ts
 * keeps the list equal to the server's).
 */
export const FORMULA_FUNCTIONS = [
  'ABS', 'AND', 'AVG', 'BIRTHDAY_IN_DAYS', 'CEIL', 'CONCAT', 'CONTAINS', 'DATE_ADD', 'DAY', 'DAYS_BETWEEN', 'FEN', 'FLOOR', 'IF', 'LEFT', 'LEN',
  'LOWER', 'MAX', 'MID', 'MIN', 'MONTH', 'NOT', 'NOW', 'OR', 'RIGHT', 'ROUND', 'SUM', 'TEXT', 'TODAY', 'TRIM', 'UPPER', 'YEAR', 'YUAN',
] as const;

const JS_WORDS = new Set(['true', 'false', 'null', 'undefined', 'typeof', 'instanceof', 'in', 'new', 'Math', 'Number', 'String', 'Boolean', 'Date', 'NaN', 'Infinity']);

/** What the editor can tell before the server compiles the formula. */
export interface FormulaCheck {
  /** A mistake that will not compile (unbalanced brackets or quotes, statements). */
  error?: { code: 'empty' | 'unbalanced' | 'unclosedString' | 'statement'; at?: number };
  /** Names that are neither fields of the form nor functions (a typo, or a field still to add). */
  unknown: string[];
  /** The fields of the form it reads, in order of first use (the sample values a trial needs). */
  used: string[];
}

/**
 * A quick check of a formula while it is typed: brackets and quotes, no
 * statements, and the names it uses. The server compiles it for real on
 * save (a 422 at fields[i].expression) — this only catches the obvious.
 */
export function checkFormula(expr: string, fields: readonly string[]): FormulaCheck {
  const unknown = new Set<string>();
  const used = new Set<string>();
  const fieldSet = new Set(fields);
  const done = (error?: FormulaCheck['error']): FormulaCheck => (error ? { error, unknown: [...unknown], used: [...used] } : { unknown: [...unknown], used: [...used] });
  if (expr.trim() === '') return done({ code: 'empty' });
  const stack: { ch: string; at: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const known = new Set<string>([...fields, ...FORMULA_FUNCTIONS]);
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      const start = i;
      i++;
      while (i < expr.length && expr[i] !== ch) i += expr[i] === '\\' ? 2 : 1;
      if (i >= expr.length) return done({ code: 'unclosedString', at: start });
      i++;
      continue;
    }
    if (ch === ';') return done({ code: 'statement', at: i });
    if (ch === '(' || ch === '[' || ch === '{') stack.push({ ch, at: i });
    else if (ch in pairs) {
      const open = stack.pop();
      if (!open || open.ch !== pairs[ch]) return done({ code: 'unbalanced', at: i });
    }
    if (/[A-Za-z_$]/.test(ch)) {
      let j = i;
      while (j < expr.length && /[A-Za-z0-9_$]/.test(expr[j]!)) j++;
      const name = expr.slice(i, j);
      // A property after a dot (address.city, s.length) is not a name of its own.
      const prev = expr.slice(0, i).trimEnd();
      if (!prev.endsWith('.')) {
        if (fieldSet.has(name)) used.add(name);
        else if (!known.has(name) && !JS_WORDS.has(name)) unknown.add(name);
      }
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (i < expr.length && /[0-9._eE]/.test(expr[i]!)) i++;
      continue;
    }
    i++;
  }
  if (stack.length > 0) return done({ code: 'unbalanced', at: stack[stack.length - 1]!.at });
  return done();
}

/** Field types whose sample value is typed as a list, one item per comma. */
const LIST_TYPES = new Set(['multiselect']);
/** Field types whose sample value is yes or no. */
const YES = new Set(['true', '1', 'yes', 'y', '是', '√', '✓']);
const NO = new Set(['false', '0', 'no', 'n', '否', '×']);

/**
 * The value to send for a sample field typed as text, as a client writes
 * it: numbers and money stay text (the server reads them exactly, "12.30"),
 * yes/no becomes a boolean, a multiselect a list, and a value written as
 * JSON (an address object, a list) is parsed. undefined leaves the field
 * out of the sample; an unreadable value is sent as text for the server to
 * explain.
 */
export function sampleInput(raw: string, type: string): unknown {
  const s = raw.trim();
  if (s === '') return undefined;
  if (type === 'checkbox') {
    const low = s.toLowerCase();
    if (YES.has(low)) return true;
    if (NO.has(low)) return false;
    return s;
  }
  if (LIST_TYPES.has(type) && !s.startsWith('[')) {
    return s
      .split(/[,，]/)
      .map((x) => x.trim())
      .filter((x) => x !== '');
  }
  if (s.startsWith('{') || s.startsWith('[')) {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return s;
    }
  }
  return s;
}

/** The sample of a trial: the typed values that are not blank. */
export function sampleRecord(values: Readonly<Record<string, string>>, types: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(values)) {
    const v = sampleInput(raw, types.get(k) ?? 'text');
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * A trial's result for people: money results (stored in fen) in yuan with
 * two decimals, yes/no for checkboxes, JSON for lists and objects; null is
 * an empty result.
 */
export function formatTrialValue(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'money' && ((typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value)))) {
    const fen = BigInt(value);
    const neg = fen < 0n;
    const abs = neg ? -fen : fen;
    const cents = (abs % 100n).toString().padStart(2, '0');
    return `${neg ? '-' : ''}${abs / 100n}.${cents}`;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
