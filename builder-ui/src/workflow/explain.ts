import { ApiError } from '../api/problem';
import { errorMessage } from '../i18n/errorMessage';
import type { I18n } from '../i18n/I18nContext';

/**
 * What to tell the user about a failed call: the UI's own message for the
 * codes it knows (network, session, rights), else the server's message,
 * which the server wrote in the user's language (workflow.task_closed,
 * report.drill_too_broad...).
 */
export function explain(err: unknown, t: I18n['t']): string {
  const m = errorMessage(err);
  if (m.key === 'error.unknown' && err instanceof ApiError && err.status > 0 && err.message && !err.message.startsWith('HTTP ')) {
    return err.message;
  }
  return t(m.key, m.params);
}
