import { Layout } from 'antd';
import { useI18n } from '../i18n/useI18n';
import { ShellHeader } from '../layout/ShellHeader';
import { useIsMobile } from '../layout/useIsMobile';
import { InboxPage } from './InboxPage';

/** The inbox outside any app (/inbox): the header and the tasks of every app. */
export function InboxShell() {
  const { t } = useI18n();
  const mobile = useIsMobile();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <ShellHeader title={t('inbox.title')} showAllApps />
      <Layout.Content style={{ padding: mobile ? 12 : 24, maxWidth: 1200, width: '100%', margin: '0 auto' }}>
        <InboxPage />
      </Layout.Content>
    </Layout>
  );
}
