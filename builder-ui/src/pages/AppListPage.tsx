import { Button, Col, Empty, Flex, Layout, Result, Row, Spin, Typography } from 'antd';
import { listApps } from '../api/meta';
import { useAsync } from '../hooks/useAsync';
import { errorMessage } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';
import { ShellHeader } from '../layout/ShellHeader';
import { useIsMobile } from '../layout/useIsMobile';
import { AppCard } from './AppCard';

/** The app switcher: the apps the user may open, as cards. */
export function AppListPage() {
  const { t } = useI18n();
  const mobile = useIsMobile();
  const { data, error, loading, reload } = useAsync(listApps, []);

  let body;
  if (loading) {
    body = (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin size="large" />
      </Flex>
    );
  } else if (error || !data) {
    const m = errorMessage(error);
    body = <Result status="warning" title={t(m.key, m.params)} extra={<Button onClick={reload}>{t('apps.retry')}</Button>} />;
  } else if (data.length === 0) {
    body = <Empty description={t('apps.empty')} style={{ marginTop: 48 }} />;
  } else {
    body = (
      <Row gutter={[16, 16]}>
        {data.map((app) => (
          <Col key={app.key} xs={24} sm={12} lg={8} xl={6}>
            <AppCard app={app} />
          </Col>
        ))}
      </Row>
    );
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <ShellHeader title={t('app.name')} />
      <Layout.Content style={{ padding: mobile ? 12 : 24 }}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          {t('apps.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('apps.subtitle')}</Typography.Paragraph>
        {body}
      </Layout.Content>
    </Layout>
  );
}
