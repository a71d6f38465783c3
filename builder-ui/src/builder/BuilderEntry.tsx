import { ToolOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useAuth } from '../auth/useAuth';
import { useI18n } from '../i18n/useI18n';
import { canDesignApp } from './api';
import { builderPath } from './paths';

/** The way into the builder, under an app's menu, for users who may design the app. */
export function BuilderEntry({ app }: { app: string }) {
  const { user } = useAuth();
  const { t } = useI18n();
  const { pathname } = useLocation();
  const [allowed, setAllowed] = useState(false);
  useEffect(() => {
    let current = true;
    if (user) void canDesignApp(user, app).then((ok) => current && setAllowed(ok));
    return () => {
      current = false;
    };
  }, [user, app]);
  if (!allowed) return null;
  const active = pathname.startsWith(builderPath(app));
  return (
    <div style={{ padding: 12 }}>
      <Link to={builderPath(app)}>
        <Button block icon={<ToolOutlined />} type={active ? 'primary' : 'default'} data-testid="builder-entry" tabIndex={-1}>
          {t('builder.title')}
        </Button>
      </Link>
    </div>
  );
}
