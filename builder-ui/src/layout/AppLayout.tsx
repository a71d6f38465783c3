import { Drawer, Empty, Flex, Layout, Result, Spin, theme } from 'antd';
import { useState } from 'react';
import { Outlet, useParams } from 'react-router-dom';
import { getDefinition, listDefinitions } from '../api/meta';
import type { AppSpec, Definition } from '../api/types';
import { useAuth } from '../auth/useAuth';
import { useAsync } from '../hooks/useAsync';
import { errorMessage } from '../i18n/errorMessage';
import { BuilderEntry } from '../builder/BuilderEntry';
import { useI18n } from '../i18n/useI18n';
import { buildNavigation, needsSources, type NavNode } from '../navigation/buildNavigation';
import { ShellHeader } from './ShellHeader';
import { SideMenu } from './SideMenu';
import { useIsMobile } from './useIsMobile';

/** What the pages inside an app get through useOutletContext. */
export interface AppContext {
  app: Definition<AppSpec>;
  nav: NavNode[];
}

async function loadApp(key: string, user: Parameters<typeof buildNavigation>[2]): Promise<AppContext> {
  const app = await getDefinition<AppSpec>(key, 'app', key);
  const sources = needsSources(app)
    ? await Promise.all([listDefinitions(key, 'form'), listDefinitions(key, 'dashboard')]).then(([forms, dashboards]) => ({ forms, dashboards }))
    : { forms: [], dashboards: [] };
  return { app, nav: buildNavigation(app, sources, user) };
}

/** One app: its menu (a side bar, or a drawer on phones) and the open page. */
export function AppLayout() {
  const { app: key = '' } = useParams();
  const { user } = useAuth();
  const { t, text } = useI18n();
  const { token } = theme.useToken();
  const mobile = useIsMobile();
  const [drawer, setDrawer] = useState(false);
  const { data, error, loading } = useAsync(() => (user ? loadApp(key, user) : Promise.reject(new Error('signed out'))), [key, user]);

  if (loading && !data) {
    return (
      <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
        <Spin size="large" />
      </Flex>
    );
  }
  if (error || !data) {
    const m = errorMessage(error);
    return (
      <Layout style={{ minHeight: '100vh' }}>
        <ShellHeader title={t('app.name')} showAllApps />
        <Result status="warning" title={t(m.key, m.params)} />
      </Layout>
    );
  }

  const menu = (
    <>
      {data.nav.length > 0 ? <SideMenu nodes={data.nav} onNavigate={() => setDrawer(false)} /> : <Empty description={t('layout.menuEmpty')} style={{ marginTop: 48 }} />}
      <BuilderEntry app={data.app.key} />
    </>
  );
  const title = text(data.app.spec.title) || data.app.key;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <ShellHeader title={title} showAllApps onOpenMenu={mobile ? () => setDrawer(true) : undefined} />
      <Layout>
        {mobile ? (
          <Drawer
            open={drawer}
            onClose={() => setDrawer(false)}
            placement="left"
            width={280}
            title={title}
            styles={{ body: { padding: 0 } }}
            rootClassName="tg-menu-drawer"
          >
            {menu}
          </Drawer>
        ) : (
          <Layout.Sider width={232} theme="light" style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }} data-testid="menu-sider">
            {menu}
          </Layout.Sider>
        )}
        <Layout.Content style={{ padding: mobile ? 12 : 24, minWidth: 0 }}>
          <Outlet context={data satisfies AppContext} />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
