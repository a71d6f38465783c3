import { ApiError, NETWORK_ERROR } from '../api/problem';
import type { MessageKey } from './messages';
import type { MessageParams } from './translate';

/** Problem codes the UI explains in the user's language. */
const byCode: Record<string, MessageKey> = {
  'auth.invalid_credentials': 'error.invalidCredentials',
  'auth.unauthenticated': 'error.sessionExpired',
  'auth.forbidden': 'error.forbidden',
  'auth.csrf': 'error.sessionExpired',
  [NETWORK_ERROR]: 'error.network',
};

/** Field error codes of the password policy and the password change. */
export const fieldMessageByCode: Record<string, MessageKey> = {
  'auth.wrong_password': 'password.wrongOld',
  'password.too_short': 'password.tooShort',
  'password.too_long': 'password.tooLong',
  'password.classes': 'password.classes',
  'password.same_as_username': 'password.sameAsUsername',
  'password.common': 'password.common',
};

/** A message key and its parameters describing err to the user. */
export function errorMessage(err: unknown): { key: MessageKey; params?: MessageParams } {
  if (!(err instanceof ApiError)) return { key: 'error.unknown', params: { code: 'client' } };
  if (err.code === 'auth.rate_limited') {
    return err.retryAfter !== undefined
      ? { key: 'error.rateLimited', params: { seconds: err.retryAfter } }
      : { key: 'error.rateLimitedSoon' };
  }
  const key = byCode[err.code];
  if (key) return { key };
  if (err.status === 403) return { key: 'error.forbidden' };
  if (err.status === 404) return { key: 'error.notFound' };
  return { key: 'error.unknown', params: { code: err.code } };
}
