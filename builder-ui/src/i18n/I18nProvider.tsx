import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LocalizedText } from '../api/types';
import { I18nContext, type I18n } from './I18nContext';
import { loadLocale, saveLocale, type Locale } from './locale';
import type { MessageKey } from './messages';
import { localize, translate, type MessageParams } from './translate';

/** Holds the current language, persisted in localStorage. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => loadLocale());

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    saveLocale(next);
    setLocaleState(next);
  }, []);

  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key: MessageKey, params?: MessageParams) => translate(locale, key, params),
      text: (v: LocalizedText | undefined) => localize(v, locale),
    }),
    [locale, setLocale],
  );

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}
