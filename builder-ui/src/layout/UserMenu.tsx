import { CheckOutlined, GlobalOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Avatar, Button, Dropdown, type MenuProps } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useAuth } from '../auth/useAuth';
import { LOCALES, isLocale } from '../i18n/locale';
import { useI18n } from '../i18n/useI18n';
import { ChangePasswordDialog } from './ChangePasswordDialog';
import { useIsMobile } from './useIsMobile';

/** The signed-in user's menu: language, change password, sign out. */
export function UserMenu() {
  const { user, signOut } = useAuth();
  const { locale, setLocale, t } = useI18n();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const [changing, setChanging] = useState(false);
  if (!user) return null;

  const items: MenuProps['items'] = [
    {
      key: 'who',
      disabled: true,
      label: (
        <span>
          {user.displayName || user.username}
          {user.admin ? ` · ${t('user.admin')}` : ''}
        </span>
      ),
    },
    { type: 'divider' },
    {
      key: 'language',
      type: 'group',
      label: (
        <span>
          <GlobalOutlined /> {t('user.language')}
        </span>
      ),
      children: LOCALES.map((l) => ({
        key: `locale:${l}`,
        label: t(`locale.${l}`),
        icon: l === locale ? <CheckOutlined /> : <span style={{ display: 'inline-block', width: 14 }} />,
      })),
    },
    { type: 'divider' },
    { key: 'password', icon: <KeyOutlined />, label: t('user.changePassword') },
    { key: 'signOut', icon: <LogoutOutlined />, label: t('user.signOut') },
  ];

  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key.startsWith('locale:')) {
      const l = key.slice('locale:'.length);
      if (isLocale(l)) setLocale(l);
    } else if (key === 'password') {
      setChanging(true);
    } else if (key === 'signOut') {
      void signOut().finally(() => navigate('/sign-in', { replace: true }));
    }
  };

  return (
    <>
      <Dropdown menu={{ items, onClick }} trigger={['click']} placement="bottomRight">
        <Button type="text" data-testid="user-menu" aria-label={user.displayName || user.username} style={{ color: 'inherit' }}>
          <Avatar size="small" icon={<UserOutlined />} />
          {!mobile && <span>{user.displayName || user.username}</span>}
        </Button>
      </Dropdown>
      <ChangePasswordDialog open={changing} onClose={() => setChanging(false)} />
    </>
  );
}
