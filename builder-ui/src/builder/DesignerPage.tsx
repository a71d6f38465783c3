import { Button, Flex, Result, Spin } from 'antd';
import type { ComponentType } from 'react';
import { useOutletContext, useParams } from 'react-router-dom';
import type { Kind } from '../api/meta';
import { useAsync } from '../hooks/useAsync';
import { errorMessage } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';
import type { AppContext } from '../layout/AppLayout';
import { NotFoundPage } from '../pages/NotFoundPage';
import { designers } from './designers';
import { loadDefinition, useDesigner, type Loaded } from './lifecycle/useDesigner';

/** One designer with its loaded definition; remounted (fresh history) on reload. */
function Editor({ app, kind, loaded, reload, View }: { app: string; kind: Kind; loaded: Loaded<unknown>; reload: () => void; View: ComponentType<{ d: ReturnType<typeof useDesigner<never>> }> }) {
  const d = useDesigner<never>(app, kind, loaded as Loaded<never>, reload);
  return <View d={d} />;
}

/** /apps/:app/builder/:kind/:key: the designer of a definition. */
export function DesignerPage() {
  const { kind = '', key = '' } = useParams();
  const { app } = useOutletContext<AppContext>();
  const { t } = useI18n();
  const View = designers[kind];
  const { data, error, loading, reload } = useAsync(() => (View ? loadDefinition<unknown>(app.key, kind as Kind, key) : Promise.reject(new Error('kind'))), [app.key, kind, key]);
  if (!View) return <NotFoundPage />;
  if (loading && !data) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (error || !data) {
    const m = errorMessage(error);
    return <Result status="warning" title={t(m.key, m.params)} extra={<Button onClick={reload}>{t('apps.retry')}</Button>} />;
  }
  return <Editor key={`${kind}/${key}/${data.latest.version}`} app={app.key} kind={kind as Kind} loaded={data} reload={reload} View={View as never} />;
}
