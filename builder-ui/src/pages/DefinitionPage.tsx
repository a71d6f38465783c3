import { Descriptions, Flex, Result, Spin, Tag, Typography } from 'antd';
import { useOutletContext, useParams } from 'react-router-dom';
import { getDefinition } from '../api/meta';
import type { MenuTarget } from '../api/types';
import { formatDateTime } from '../format/date';
import { useAsync } from '../hooks/useAsync';
import { errorMessage } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';
import type { AppContext } from '../layout/AppLayout';
import { NotFoundPage } from './NotFoundPage';

/** The kinds a menu entry can open (engine/meta/schemas/app.json). */
const TARGET_KINDS: readonly MenuTarget['kind'][] = ['view', 'page', 'dashboard', 'form', 'report'];

function isTargetKind(k: string | undefined): k is MenuTarget['kind'] {
  return TARGET_KINDS.includes(k as MenuTarget['kind']);
}

const statusColor = { draft: 'gold', published: 'green', superseded: 'default' } as const;

/**
 * What a menu entry opens: the definition's title, description and
 * revision. The runtime renderers for list views, forms, dashboards and
 * pages take over these routes kind by kind as the records API lands.
 */
export function DefinitionPage() {
  const { kind, key = '' } = useParams();
  const { app } = useOutletContext<AppContext>();
  const { t, text, locale } = useI18n();
  const { data, error, loading } = useAsync(() => getDefinition(app.key, kind ?? '', key), [app.key, kind, key]);

  if (!isTargetKind(kind)) return <NotFoundPage />;
  if (loading) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (error || !data) {
    const m = errorMessage(error);
    return <Result status="warning" title={t(m.key, m.params)} />;
  }
  return (
    <>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {text(data.spec.title) || data.key}
      </Typography.Title>
      {data.spec.description && <Typography.Paragraph type="secondary">{text(data.spec.description)}</Typography.Paragraph>}
      <Descriptions column={{ xs: 1, md: 2 }} bordered size="small">
        <Descriptions.Item label={t('definition.kind')}>{t(`kind.${kind}`)}</Descriptions.Item>
        <Descriptions.Item label={t('definition.key')}>{data.key}</Descriptions.Item>
        <Descriptions.Item label={t('definition.version')}>{data.version}</Descriptions.Item>
        <Descriptions.Item label={t('definition.status')}>
          <Tag color={statusColor[data.status]}>{t(`status.${data.status}`)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('definition.updatedAt')}>{formatDateTime(data.updatedAt, locale)}</Descriptions.Item>
        <Descriptions.Item label={t('definition.updatedBy')}>{data.updatedBy ?? ''}</Descriptions.Item>
      </Descriptions>
    </>
  );
}
