import { Result } from 'antd';
import { Navigate, useOutletContext } from 'react-router-dom';
import { useI18n } from '../i18n/useI18n';
import type { AppContext } from '../layout/AppLayout';
import { targetPath } from '../navigation/buildNavigation';
import { iconFor } from '../navigation/icons';

/** An app's start: its home page when the definition names one. */
export function AppHomePage() {
  const { app } = useOutletContext<AppContext>();
  const { t, text } = useI18n();
  if (app.spec.homePage) return <Navigate to={targetPath(app.key, app.spec.homePage)} replace />;
  return (
    <Result
      icon={<span style={{ fontSize: 48, color: app.spec.color ?? '#1677ff' }}>{iconFor(app.spec.icon)}</span>}
      title={text(app.spec.title) || app.key}
      subTitle={
        <>
          {text(app.spec.description)}
          {app.spec.description ? <br /> : null}
          {t('layout.pickFromMenu')}
        </>
      }
    />
  );
}
