import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { ReactNode } from 'react';
import type { Locale } from './i18n/locale';
import { useI18n } from './i18n/useI18n';

const antdLocales = { 'zh-CN': zhCN, en: enUS } satisfies Record<Locale, typeof zhCN>;

/** Ant Design in the UI's language (its own texts: pickers, empty states, pagination). */
export function AntdProvider({ children }: { children: ReactNode }) {
  const { locale } = useI18n();
  return (
    <ConfigProvider locale={antdLocales[locale]} theme={{ token: { colorPrimary: '#1677ff' } }}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}
