import { Alert, App, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { changePassword } from '../api/auth';
import { ApiError } from '../api/problem';
import { errorMessage, fieldMessageByCode } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';

interface Values {
  oldPassword: string;
  newPassword: string;
  confirm: string;
}

/** The form's fields that the server's error paths can name. */
const FIELDS = new Set<string>(['oldPassword', 'newPassword']);

/** Changes the signed-in user's password; the server checks the policy. */
export function ChangePasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(undefined);

  const close = () => {
    form.resetFields();
    setFailure(undefined);
    onClose();
  };

  const submit = async (v: Values) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await changePassword(v.oldPassword, v.newPassword);
      void message.success(t('password.changed'));
      close();
    } catch (err) {
      const placed = err instanceof ApiError ? err.fieldErrors.filter((fe) => FIELDS.has(fe.path)) : [];
      if (err instanceof ApiError && placed.length > 0) {
        const byField = new Map<string, string[]>();
        for (const fe of placed) {
          const key = fe.code ? fieldMessageByCode[fe.code] : undefined;
          byField.set(fe.path, [...(byField.get(fe.path) ?? []), key ? t(key) : fe.message]);
        }
        form.setFields([...byField].map(([name, errors]) => ({ name: name as keyof Values, errors })));
      } else {
        setFailure(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const failureText = failure === undefined ? undefined : (() => {
    const m = errorMessage(failure);
    return t(m.key, m.params);
  })();

  return (
    <Modal
      open={open}
      title={t('password.title')}
      okText={t('password.submit')}
      cancelText={t('password.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={close}
    >
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        <Typography.Paragraph type="secondary">{t('password.policy')}</Typography.Paragraph>
        {failureText && <Alert type="error" showIcon message={failureText} style={{ marginBottom: 16 }} />}
        <Form.Item name="oldPassword" label={t('password.old')} rules={[{ required: true, message: t('password.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('password.new')} rules={[{ required: true, message: t('password.required') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('password.required') },
            ({ getFieldValue }) => ({
              validator: (_, value: string | undefined) =>
                !value || getFieldValue('newPassword') === value ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
