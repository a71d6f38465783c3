import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useAuth } from '../auth/useAuth';
import { errorMessage } from '../i18n/errorMessage';
import { useI18n } from '../i18n/useI18n';
import { LanguageSwitch } from '../layout/LanguageSwitch';

interface Values {
  username: string;
  password: string;
}

/** Only same-site paths may be the place to return to after signing in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Username and password; problems are explained in the chosen language. */
export function SignInPage() {
  const { user, sessionEnded, signIn } = useAuth();
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [busy, setBusy] = useState(false);
  // The error itself is kept, not its text, so that switching the language
  // translates a message already on screen.
  const [failure, setFailure] = useState<unknown>(undefined);
  const next = safeNext(params.get('next'));

  if (user) return <Navigate to={next} replace />;

  const submit = async (v: Values) => {
    setBusy(true);
    setFailure(undefined);
    try {
      await signIn(v.username.trim(), v.password);
      navigate(next, { replace: true });
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const m = failure === undefined ? undefined : errorMessage(failure);
  return (
    <Flex vertical align="center" style={{ minHeight: '100vh', padding: 16, background: '#f5f5f5' }}>
      <Flex justify="flex-end" style={{ width: '100%', maxWidth: 400 }}>
        <LanguageSwitch />
      </Flex>
      <Card style={{ width: '100%', maxWidth: 400, marginTop: '10vh' }}>
        <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 4 }}>
          {t('app.name')} · {t('signIn.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('signIn.subtitle')}</Typography.Paragraph>
        {sessionEnded && !m && <Alert type="info" showIcon message={t('signIn.sessionEnded')} style={{ marginBottom: 16 }} />}
        {m && <Alert type="error" showIcon message={t(m.key, m.params)} role="alert" data-testid="sign-in-error" style={{ marginBottom: 16 }} />}
        <Form<Values> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} disabled={busy}>
          <Form.Item name="username" label={t('signIn.username')} rules={[{ required: true, whitespace: true, message: t('signIn.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true, message: t('signIn.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="sign-in-submit">
            {t('signIn.submit')}
          </Button>
        </Form>
      </Card>
    </Flex>
  );
}
