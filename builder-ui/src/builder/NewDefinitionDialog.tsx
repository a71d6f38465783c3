import { Alert, Form, Input, Modal, Select, type ButtonProps } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { createDefinition } from '../api/meta';
import { ApiError } from '../api/problem';
import type { Definition } from '../api/types';
import { problemText } from './errors';
import { useI18n } from '../i18n/useI18n';
import { DEF_KEY, DESIGN_KINDS, NEEDS_FORM, newSpec, type DesignKind } from './newSpec';
import { designerPath } from './paths';

interface Props {
  open: boolean;
  app: string;
  kind: DesignKind;
  forms: Definition[];
  onClose: () => void;
}

interface Values {
  kind: DesignKind;
  key: string;
  zh: string;
  en?: string;
  form?: string;
}

/** Creates a definition (version 1, a draft) from the smallest valid spec and opens its designer. */
export function NewDefinitionDialog({ open, app, kind, forms, onClose }: Props) {
  const { t, text } = useI18n();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const chosen = Form.useWatch('kind', form) ?? kind;

  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue({ kind });
      setProblem(undefined);
    }
  }, [open, kind, form]);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setProblem(undefined);
    try {
      const title: Record<string, string> = v.en ? { 'zh-CN': v.zh, en: v.en } : { 'zh-CN': v.zh };
      const input = v.form ? { title, form: v.form } : { title };
      await createDefinition(app, v.kind, v.key, newSpec(v.kind, input));
      onClose();
      navigate(designerPath(app, v.kind, v.key));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'meta.exists') form.setFields([{ name: 'key', errors: [t('builder.keyTaken')] }]);
      else setProblem(problemText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title={t('builder.newTitle')} onCancel={onClose} onOk={() => void submit()} confirmLoading={busy} okButtonProps={{ 'data-testid': 'new-ok' } as ButtonProps} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ kind }}>
        <Form.Item name="kind" label={t('definition.kind')}>
          <Select options={DESIGN_KINDS.map((k) => ({ value: k, label: t(`builder.kind.${k}`) }))} aria-label={t('definition.kind')} />
        </Form.Item>
        <Form.Item
          name="key"
          label={t('definition.key')}
          extra={t('builder.keyHelp')}
          rules={[
            { required: true, message: t('builder.required') },
            { pattern: DEF_KEY, message: t('builder.keyHelp') },
          ]}
        >
          <Input data-testid="new-key" />
        </Form.Item>
        <Form.Item name="zh" label={t('builder.titleZh')} rules={[{ required: true, message: t('builder.required') }]}>
          <Input data-testid="new-title" />
        </Form.Item>
        <Form.Item name="en" label={t('builder.titleEn')}>
          <Input />
        </Form.Item>
        {NEEDS_FORM.has(chosen) && (
          <Form.Item name="form" label={t('builder.dataForm')} rules={[{ required: true, message: t('builder.required') }]}>
            <Select options={forms.map((f) => ({ value: f.key, label: `${text(f.spec.title) || f.key} (${f.key})` }))} aria-label={t('builder.dataForm')} data-testid="new-form" />
          </Form.Item>
        )}
      </Form>
      {problem && <Alert type="error" showIcon message={problem} />}
    </Modal>
  );
}
