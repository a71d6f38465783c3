import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/problem';
import { errorMessage, fieldMessageByCode } from './errorMessage';
import { DEFAULT_LOCALE, LOCALES, loadLocale, saveLocale } from './locale';
import { messages } from './messages';
import { localize, translate } from './translate';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('messages', () => {
  const reference = messages[DEFAULT_LOCALE];

  it.each(LOCALES)('%s has exactly the keys of zh-CN', (locale) => {
    expect(Object.keys(messages[locale]).sort()).toEqual(Object.keys(reference).sort());
  });

  it.each(LOCALES)('%s has no empty message and the same placeholders as zh-CN', (locale) => {
    for (const [key, text] of Object.entries(messages[locale])) {
      expect(text.trim(), key).not.toBe('');
      expect(placeholders(text), key).toEqual(placeholders(reference[key as keyof typeof reference]));
    }
  });

  it('maps every field error code to an existing key', () => {
    for (const key of Object.values(fieldMessageByCode)) expect(reference[key]).toBeDefined();
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(translate('en', 'error.rateLimited', { seconds: 60 })).toBe('Too many sign-in attempts. Try again in 60 seconds.');
    expect(translate('zh-CN', 'error.rateLimited', { seconds: 60 })).toBe('登录尝试过于频繁，请 60 秒后再试。');
    expect(translate('en', 'error.unknown')).toBe('Something went wrong ({code}).');
  });
});

describe('localize', () => {
  it('picks the locale, then zh-CN, then en, then any', () => {
    expect(localize('会员', 'en')).toBe('会员');
    expect(localize({ 'zh-CN': '会员', en: 'Members' }, 'en')).toBe('Members');
    expect(localize({ 'zh-CN': '会员', en: 'Members' }, 'zh-CN')).toBe('会员');
    expect(localize({ 'zh-CN': '会员' }, 'en')).toBe('会员');
    expect(localize({ en: 'Members' }, 'zh-CN')).toBe('Members');
    expect(localize({ ja: 'メンバー' }, 'zh-CN')).toBe('メンバー');
    expect(localize(undefined, 'zh-CN')).toBe('');
  });
});

describe('locale storage', () => {
  it('defaults to zh-CN and keeps a valid choice', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadLocale(storage)).toBe('zh-CN');
    saveLocale('en', storage);
    expect(loadLocale(storage)).toBe('en');
    store.set('tangram.locale', 'fr');
    expect(loadLocale(storage)).toBe('zh-CN');
    expect(loadLocale(undefined)).toBe('zh-CN');
  });
});

describe('errorMessage', () => {
  it('explains the sign-in problems', () => {
    expect(errorMessage(new ApiError(401, 'auth.invalid_credentials', 'x')).key).toBe('error.invalidCredentials');
    expect(errorMessage(new ApiError(429, 'auth.rate_limited', 'x', [], 60))).toEqual({ key: 'error.rateLimited', params: { seconds: 60 } });
    expect(errorMessage(new ApiError(429, 'auth.rate_limited', 'x')).key).toBe('error.rateLimitedSoon');
    expect(errorMessage(new ApiError(403, 'meta.forbidden', 'x')).key).toBe('error.forbidden');
    expect(errorMessage(new ApiError(500, 'internal', 'x'))).toEqual({ key: 'error.unknown', params: { code: 'internal' } });
    expect(errorMessage(new Error('boom')).key).toBe('error.unknown');
  });
});
