import { ApiError } from '../api/problem';
import { errorMessage } from '../i18n/errorMessage';
import type { MessageKey } from '../i18n/messages';
import type { MessageParams } from '../i18n/translate';

/**
 * What went wrong, for a designer to show: the server's field errors with
 * their paths, else the message the UI has for the problem's code, else
 * the server's own message (designers see codes the runtime never
 * translates: report.*, rule.*, automation.*).
 */
export function problemText(t: (k: MessageKey, p?: MessageParams) => string, e: unknown): string {
  if (e instanceof ApiError && e.fieldErrors.length > 0) return e.fieldErrors.map((f) => `${f.path}: ${f.message}`).join('; ');
  const m = errorMessage(e);
  return m.key === 'error.unknown' && e instanceof Error ? e.message : t(m.key, m.params);
}
