import type { LocalizedText } from '../api/types';
import { DEFAULT_LOCALE, type Locale } from './locale';
import { messages, type MessageKey } from './messages';

/** Values for a message's {placeholders}. */
export type MessageParams = Record<string, string | number>;

/** The message for key in locale, with its {placeholders} filled in. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const text = messages[locale][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/**
 * Picks the text of a definition for locale: a plain string as is, else the
 * locale's translation, then zh-CN's, then English, then any.
 */
export function localize(text: LocalizedText | undefined, locale: Locale): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[locale] ?? text[DEFAULT_LOCALE] ?? text.en ?? Object.values(text)[0] ?? '';
}
