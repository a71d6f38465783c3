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
}

/**
 * A quick check of a formula while it is typed: brackets and quotes, no
 * statements, and the names it uses. The server compiles it for real on
 * save (a 422 at fields[i].expression) — this only catches the obvious.
 */
export function checkFormula(expr: string, fields: readonly string[]): FormulaCheck {
  const unknown = new Set<string>();
  if (expr.trim() === '') return { error: { code: 'empty' }, unknown: [] };
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
      if (i >= expr.length) return { error: { code: 'unclosedString', at: start }, unknown: [...unknown] };
      i++;
      continue;
    }
    if (ch === ';') return { error: { code: 'statement', at: i }, unknown: [...unknown] };
    if (ch === '(' || ch === '[' || ch === '{') stack.push({ ch, at: i });
    else if (ch in pairs) {
      const open = stack.pop();
      if (!open || open.ch !== pairs[ch]) return { error: { code: 'unbalanced', at: i }, unknown: [...unknown] };
    }
    if (/[A-Za-z_$]/.test(ch)) {
      let j = i;
      while (j < expr.length && /[A-Za-z0-9_$]/.test(expr[j]!)) j++;
      const name = expr.slice(i, j);
      // A property after a dot (address.city, s.length) is not a name of its own.
      const prev = expr.slice(0, i).trimEnd();
      if (!prev.endsWith('.') && !known.has(name) && !JS_WORDS.has(name)) unknown.add(name);
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (i < expr.length && /[0-9._eE]/.test(expr[i]!)) i++;
      continue;
    }
    i++;
  }
  if (stack.length > 0) return { error: { code: 'unbalanced', at: stack[stack.length - 1]!.at }, unknown: [...unknown] };
  return { unknown: [...unknown] };
}
