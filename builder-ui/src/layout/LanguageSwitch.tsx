import { Segmented } from 'antd';
import { useI18n } from '../i18n/useI18n';
import { LOCALES, type Locale } from '../i18n/locale';

/** Two buttons, 简体中文 | English, for pages without the user menu. */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <Segmented<Locale>
      aria-label={t('locale.label')}
      value={locale}
      onChange={setLocale}
      options={LOCALES.map((l) => ({ value: l, label: t(`locale.${l}`) }))}
    />
  );
}
