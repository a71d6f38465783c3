import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { App, Button, Flex, Form, Modal, Popconfirm, Select } from 'antd';
import { useState } from 'react';
import type { BulkItemResult, FormSpec } from '../../api/formTypes';
import { bulkRecords } from '../../api/records';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import { editable, toRequestValue } from '../formModel';

interface Props {
  app: string;
  form: string;
  spec: FormSpec;
  selected: string[];
  onDone: () => void;
}

/** Counts a bulk answer and names the first failure. */
function summary(res: BulkItemResult[]): { ok: number; failed: number; first?: string } {
  const failed = res.filter((r) => r.status >= 400);
  const first = failed[0]?.error;
  const out: { ok: number; failed: number; first?: string } = { ok: res.length - failed.length, failed: failed.length };
  if (first) out.first = first.errors?.[0]?.message ?? first.detail ?? first.code;
  return out;
}

/** What to do with the selected records: delete them, or set one field on all of them. */
export function BulkBar({ app, form, spec, selected, onDone }: Props) {
  const { t, text } = useI18n();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [fieldKey, setFieldKey] = useState<string>();
  const [value, setValue] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Unique fields cannot take one value on many records; sub-tables are edited per record.
  const candidates = spec.fields.filter((f) => editable(f) && !f.unique && f.type !== 'subtable' && !f.hidden);
  const field = candidates.find((f) => f.key === fieldKey);

  const report = (res: BulkItemResult[]) => {
    const s = summary(res);
    if (s.failed === 0) message.success(t('bulk.done', { n: s.ok }));
    else message.warning(t('bulk.partly', { ok: s.ok, failed: s.failed, reason: s.first ?? '' }));
    onDone();
  };
  const run = async (ops: Parameters<typeof bulkRecords>[2]) => {
    setBusy(true);
    try {
      report(await bulkRecords(app, form, ops));
      return true;
    } catch (e) {
      const m = errorMessage(e);
      message.error(t(m.key, m.params));
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (selected.length === 0) return null;
  const ui = field ? fieldTypeUI(field.type) : undefined;
  return (
    <Flex gap={8} align="center" wrap style={{ marginBottom: 8 }} data-testid="bulk-bar">
      <span>{t('bulk.selected', { n: selected.length })}</span>
      <Button icon={<EditOutlined />} onClick={() => setOpen(true)} disabled={candidates.length === 0}>
        {t('bulk.update')}
      </Button>
      <Popconfirm title={t('bulk.deleteConfirm', { n: selected.length })} onConfirm={() => run(selected.map((id) => ({ op: 'delete' as const, id })))} okButtonProps={{ danger: true }}>
        <Button danger icon={<DeleteOutlined />} loading={busy}>
          {t('bulk.delete')}
        </Button>
      </Popconfirm>
      <Modal
        open={open}
        title={t('bulk.updateTitle', { n: selected.length })}
        onCancel={() => setOpen(false)}
        okButtonProps={{ disabled: !field, loading: busy }}
        onOk={async () => {
          if (!field) return;
          const data = { [field.key]: toRequestValue(field, value) };
          if (await run(selected.map((id) => ({ op: 'update' as const, id, data })))) setOpen(false);
        }}
        destroyOnHidden
      >
        <Form layout="vertical" component="div">
          <Form.Item label={t('bulk.field')}>
            <Select
              value={fieldKey}
              onChange={(k: string) => {
                setFieldKey(k);
                setValue(undefined);
              }}
              options={candidates.map((f) => ({ value: f.key, label: text(f.label) }))}
              aria-label={t('bulk.field')}
            />
          </Form.Item>
          {field && ui?.Input && (
            <Form.Item label={t('bulk.value')}>
              <ui.Input field={field} value={value} onChange={setValue} ctx={{ app, form }} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Flex>
  );
}
