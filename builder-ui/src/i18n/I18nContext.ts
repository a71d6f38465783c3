import { createContext } from 'react';
import type { LocalizedText } from '../api/types';
import type { Locale } from './locale';
import type { MessageKey } from './messages';
import type { MessageParams } from './translate';

/** What components get from useI18n(). */
export interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: (key: MessageKey, params?: MessageParams) => string;
  /** A definition's localized text in the current language. */
  text: (value: LocalizedText | undefined) => string;
}

export const I18nContext = createContext<I18n | null>(null);
