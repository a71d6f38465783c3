import { ApartmentOutlined, ExportOutlined, ImportOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Result, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useOutletContext } from 'react-router-dom';
import { listDefinitions } from '../api/meta';
import type { Definition } from '../api/types';
import { formatDateTime } from '../format/date';
import { useAsync } from '../hooks/useAsync';
import { errorMessage } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';
import type { AppContext } from '../layout/AppLayout';
import { exportApp } from './api';
import { ImportDialog } from './ImportDialog';
import { NewDefinitionDialog } from './NewDefinitionDialog';
import { DESIGN_KINDS, type DesignKind } from './newSpec';
import { designerPath } from './paths';

const statusColor = { draft: 'gold', published: 'green', superseded: 'default' } as const;

async function loadAll(app: string): Promise<Record<DesignKind, Definition[]>> {
  const lists = await Promise.all(DESIGN_KINDS.map((k) => listDefinitions(app, k)));
  return Object.fromEntries(DESIGN_KINDS.map((k, i) => [k, lists[i] ?? []])) as Record<DesignKind, Definition[]>;
}

/** Saves a value as a JSON file the browser downloads. */
function download(name: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The builder's start: an app's definitions by kind, new ones, navigation, export and import. */
export function BuilderHome() {
  const { app } = useOutletContext<AppContext>();
  const { t, text, locale } = useI18n();
  const { data, error, loading, reload } = useAsync(() => loadAll(app.key), [app.key]);
  const [tab, setTab] = useState<DesignKind>('form');
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);

  if (error) {
    const m = errorMessage(error);
    return <Result status="warning" title={t(m.key, m.params)} />;
  }
  const columns = [
    {
      title: t('builder.defTitle'),
      key: 'title',
      render: (_: unknown, d: Definition) => <Link to={designerPath(app.key, d.kind, d.key)}>{text(d.spec.title) || d.key}</Link>,
    },
    { title: t('definition.key'), dataIndex: 'key', key: 'key' },
    { title: t('definition.version'), dataIndex: 'version', key: 'version', width: 80 },
    {
      title: t('definition.status'),
      key: 'status',
      width: 110,
      render: (_: unknown, d: Definition) => <Tag color={statusColor[d.status]}>{t(`status.${d.status}`)}</Tag>,
    },
    { title: t('definition.updatedAt'), key: 'at', render: (_: unknown, d: Definition) => formatDateTime(d.updatedAt, locale) },
  ];
  return (
    <Flex vertical gap={12}>
      <Flex align="center" gap={8} wrap>
        <Typography.Title level={3} style={{ margin: 0, flex: 1 }}>
          {t('builder.homeTitle', { app: text(app.spec.title) || app.key })}
        </Typography.Title>
        <Space wrap>
          <Link to={designerPath(app.key, 'app', app.key)}>
            <Button icon={<ApartmentOutlined />} data-testid="open-navigation">
              {t('builder.navigation')}
            </Button>
          </Link>
          <Button
            icon={<ExportOutlined />}
            loading={exporting}
            onClick={() => {
              setExporting(true);
              exportApp(app.key)
                .then((b) => download(`${app.key}.tangram.json`, b))
                .finally(() => setExporting(false));
            }}
            data-testid="export-app"
          >
            {t('builder.export')}
          </Button>
          <Button icon={<ImportOutlined />} onClick={() => setImporting(true)} data-testid="import-app">
            {t('builder.import')}
          </Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-definition">
            {t('builder.new')}
          </Button>
        </Space>
      </Flex>
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k as DesignKind)}
        items={DESIGN_KINDS.map((k) => ({
          key: k,
          label: `${t(`builder.kind.${k}`)}${data ? ` (${data[k].length})` : ''}`,
          children: <Table rowKey="key" size="small" loading={loading} columns={columns} dataSource={data?.[k] ?? []} pagination={{ pageSize: 20, hideOnSinglePage: true }} data-testid={`defs-${k}`} />,
        }))}
      />
      <NewDefinitionDialog open={creating} app={app.key} kind={tab} forms={data?.form ?? []} onClose={() => setCreating(false)} />
      <ImportDialog
        open={importing}
        app={app.key}
        onClose={(changed) => {
          setImporting(false);
          if (changed) reload();
        }}
      />
    </Flex>
  );
}
