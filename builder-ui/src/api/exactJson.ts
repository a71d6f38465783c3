/**
 * The context JSON.parse hands a reviver in current browsers (the
 * "JSON.parse source text access" proposal): the number as written.
 */
interface ReviverContext {
  source?: string;
}

/**
 * Keeps numbers exact while parsing: decimals (the server's exact decimal
 * text, e.g. a weight 70.25 or a percent 12.5) become strings, and integers
 * beyond 2^53 too, so no value is ever rounded through a float. Safe
 * integers (fen, counts, versions) stay numbers. Where the browser does not
 * pass the source text, a decimal becomes the shortest text of its float,
 * which is the written text for every decimal of up to 15 digits.
 */
export function exactReviver(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== 'number') return value;
  const src = context?.source;
  if (src !== undefined) {
    if (/[.eE]/.test(src)) return src;
    return Number.isSafeInteger(value) ? value : src;
  }
  return Number.isSafeInteger(value) ? value : String(value);
}

/** JSON.parse with exactReviver. */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text, exactReviver as (this: unknown, key: string, value: unknown) => unknown);
}
