import '../records.css';
import '../../workflow/register';
import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { App, Button, Card, Descriptions, Flex, Popconfirm, Result, Space, Spin, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate, useOutletContext, useParams } from 'react-router-dom';
import type { FormSpec, RecordDoc } from '../../api/formTypes';
import { deleteRecord, getRecord, restoreRecord } from '../../api/records';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { formatDateTime } from '../../format/date';
import { useAsync } from '../../hooks/useAsync';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import type { AppContext } from '../../layout/AppLayout';
import { fieldStates, toFormValues } from '../formModel';
import { publishedForm, recordLoader, recordTitle } from '../resolve';
import { HistoryPanel } from './HistoryPanel';
import { recordPanels } from './panels';
import { RelatedRecords } from './RelatedRecords';

async function load(app: string, form: string, id: string): Promise<{ spec: FormSpec; record: RecordDoc }> {
  const [def, record] = await Promise.all([publishedForm(app, form), getRecord(app, form, id)]);
  return { spec: def.spec, record };
}

/** A record: its fields, related records, history, and the panels extensions add. */
export function RecordDetailPage() {
  const { form = '', id = '' } = useParams();
  const { app } = useOutletContext<AppContext>();
  const { t, text, locale } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [round, setRound] = useState(0);
  const { data, error, loading, reload } = useAsync(() => load(app.key, form, id), [app.key, form, id, round]);
  if (loading && !data) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (error || !data) {
    const m = errorMessage(error);
    return <Result status={m.key === 'error.notFound' ? '404' : m.key === 'error.forbidden' ? '403' : 'warning'} title={t(m.key, m.params)} extra={<Button onClick={reload}>{t('apps.retry')}</Button>} />;
  }
  const { spec, record } = data;
  const listPath = `/apps/${encodeURIComponent(app.key)}/form/${encodeURIComponent(form)}`;
  const states = fieldStates(spec.fields, toFormValues(spec.fields, record), record);
  const ctx = { app: app.key, form };
  const remove = async () => {
    try {
      await deleteRecord(app.key, form, record._id);
      recordLoader(app.key, form).clear(record._id);
      navigate(listPath);
      message.success({
        content: (
          <span>
            {t('record.deleted')}{' '}
            <Typography.Link
              onClick={() => {
                void restoreRecord(app.key, form, record._id).then(() => navigate(`${listPath}/records/${encodeURIComponent(record._id)}`));
              }}
            >
              {t('record.undo')}
            </Typography.Link>
          </span>
        ),
        duration: 8,
      });
    } catch (e) {
      const m = errorMessage(e);
      message.error(t(m.key, m.params));
    }
  };
  const fieldsTab = (
    <Card size="small">
      <div data-testid="record-fields">
      <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
        {spec.fields
          .filter((f) => states.get(f.key)?.visible)
          .map((f) => {
            const ui = fieldTypeUI(f.type);
            const wide = f.type === 'subtable' || f.type === 'richtext';
            return (
              <Descriptions.Item key={f.key} label={text(f.label)} span={wide ? 'filled' : 1}>
                <span data-testid={`value-${f.key}`}>
                  <ui.Display field={f} value={record[f.key]} ctx={ctx} />
                </span>
              </Descriptions.Item>
            );
          })}
      </Descriptions>
      </div>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('record.meta', { created: formatDateTime(record._createdAt, locale), updated: formatDateTime(record._updatedAt, locale), version: record._version })}
      </Typography.Paragraph>
    </Card>
  );
  const extra = recordPanels(spec, app.key, form).map((p) => ({
    key: p.key,
    label: text(p.title),
    children: p.render({ app: app.key, form, spec, record, reload: () => setRound((r) => r + 1) }),
    order: p.order,
  }));
  const tabs = [
    { key: 'fields', label: t('record.fields'), children: fieldsTab, order: 10 },
    { key: 'related', label: t('record.related'), children: <RelatedRecords app={app.key} form={form} spec={spec} record={record} />, order: 20 },
    {
      key: 'history',
      label: t('record.history'),
      children: <HistoryPanel app={app.key} form={form} spec={spec} record={record} onRestored={() => setRound((r) => r + 1)} />,
      order: 30,
    },
    ...extra,
  ].sort((a, b) => a.order - b.order);
  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Flex vertical>
          <Typography.Text type="secondary">
            <a onClick={() => navigate(listPath)}>{text(spec.title) || form}</a>
          </Typography.Text>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="record-title">
            {recordTitle(record, spec, record._id)}
          </Typography.Title>
        </Flex>
        <Space wrap>
          <Button type="primary" icon={<EditOutlined />} onClick={() => navigate(`${listPath}/records/${encodeURIComponent(record._id)}/edit`)} data-testid="edit-record">
            {t('record.edit')}
          </Button>
          <Popconfirm title={t('record.deleteConfirm')} onConfirm={() => void remove()} okButtonProps={{ danger: true }}>
            <Button danger icon={<DeleteOutlined />} data-testid="delete-record">
              {t('record.delete')}
            </Button>
          </Popconfirm>
        </Space>
      </Flex>
      <Tabs items={tabs.map(({ order: _o, ...tab }) => tab)} destroyOnHidden={false} />
    </Flex>
  );
}
