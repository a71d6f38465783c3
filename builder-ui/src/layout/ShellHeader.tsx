import { AppstoreOutlined, MenuOutlined } from '@ant-design/icons';
import { Button, Flex, Layout, Tooltip, Typography, theme } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useI18n } from '../i18n/useI18n';
import { InboxBadge } from '../inbox/InboxBadge';
import { UserMenu } from './UserMenu';

interface Props {
  title: ReactNode;
  /** Shown on phones, where the menu lives in a drawer. */
  onOpenMenu?: () => void;
  /** Whether to offer the way back to the app list. */
  showAllApps?: boolean;
}

/** The bar on top of every signed-in page. */
export function ShellHeader({ title, onOpenMenu, showAllApps }: Props) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  return (
    <Layout.Header
      style={{
        display: 'flex',
        alignItems: 'center',
        gap: 8,
        paddingInline: 12,
        background: token.colorBgContainer,
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
        position: 'sticky',
        top: 0,
        zIndex: 10,
      }}
    >
      {onOpenMenu && <Button type="text" icon={<MenuOutlined />} aria-label={t('layout.openMenu')} data-testid="open-menu" onClick={onOpenMenu} />}
      {showAllApps && (
        <Tooltip title={t('layout.allApps')}>
          <Link to="/" aria-label={t('layout.allApps')}>
            <Button type="text" icon={<AppstoreOutlined />} tabIndex={-1} />
          </Link>
        </Tooltip>
      )}
      <Typography.Title level={5} ellipsis style={{ margin: 0, flex: 1, minWidth: 0 }}>
        {title}
      </Typography.Title>
      <Flex align="center">
        <InboxBadge />
        <UserMenu />
      </Flex>
    </Layout.Header>
  );
}
