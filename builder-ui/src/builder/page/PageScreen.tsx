import { Flex, Result, Spin, Typography } from 'antd';
import { useOutletContext, useParams } from 'react-router-dom';
import { getPublished } from '../../api/meta';
import { useAsync } from '../../hooks/useAsync';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import type { AppContext } from '../../layout/AppLayout';
import type { PageSpec } from './model';
import { PageBlocks } from './PageBlocks';

/**
 * /apps/:app/page/:key in the runtime: a published page, its title and
 * description over its blocks, drawn by the same renderer as the page
 * designer's preview.
 */
export function PageScreen() {
  const { key = '' } = useParams();
  const { app } = useOutletContext<AppContext>();
  const { t, text } = useI18n();
  const { data, error, loading } = useAsync(() => getPublished<PageSpec>(app.key, 'page', key), [app.key, key]);
  if (loading && !data) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (error || !data) {
    const m = errorMessage(error);
    return <Result status={m.key === 'error.notFound' ? '404' : 'warning'} title={t(m.key, m.params)} />;
  }
  return (
    <Flex vertical gap={12} style={{ minWidth: 0 }} data-testid="page-screen">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {text(data.spec.title) || data.key}
      </Typography.Title>
      {data.spec.description && <Typography.Paragraph type="secondary">{text(data.spec.description)}</Typography.Paragraph>}
      <PageBlocks app={app.key} blocks={data.spec.blocks ?? []} published />
    </Flex>
  );
}
