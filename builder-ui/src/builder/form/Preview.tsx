import { Card, Col, Empty, Form, Row, Segmented, Typography, theme } from 'antd';
import { useMemo, useState } from 'react';
import type { FormSpec } from '../../api/formTypes';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { useI18n } from '../../i18n/useI18n';
import { FieldItem } from '../../records/form/FieldItem';
import { defaultValues, fieldStates, type FormValues } from '../../records/formModel';
import { sectionsOf } from './model';

/** Types that take a whole row, as on the runtime form. */
const WIDE = new Set(['subtable', 'richtext', 'textarea', 'attachment', 'image', 'address']);

export type Device = 'desktop' | 'phone';

/**
 * The form as users will see it, with the runtime's field renderers and
 * conditions: typing in the preview shows and requires fields live. On the
 * phone width every field takes the whole row, as the runtime does below
 * 768 px. Nothing typed here is saved.
 */
export function Preview({ app, form, spec }: { app: string; form: string; spec: FormSpec }) {
  const { t, text } = useI18n();
  const { token } = theme.useToken();
  const [device, setDevice] = useState<Device>('desktop');
  const initial = useMemo(() => defaultValues(spec.fields), [spec.fields]);
  const [values, setValues] = useState<FormValues>(initial);
  const states = useMemo(() => fieldStates(spec.fields, values), [spec.fields, values]);
  const phone = device === 'phone';
  const byKey = new Map(spec.fields.map((f) => [f.key, f]));
  return (
    <div data-testid="preview">
      <Segmented
        value={device}
        onChange={(d) => setDevice(d as Device)}
        options={[
          { value: 'desktop', label: t('builder.form.desktop') },
          { value: 'phone', label: t('builder.form.phone') },
        ]}
        style={{ marginBottom: 12 }}
        data-testid="preview-device"
      />
      <div
        data-testid={`preview-${device}`}
        style={{
          width: phone ? 375 : '100%',
          maxWidth: '100%',
          margin: phone ? '0 auto' : undefined,
          padding: phone ? 12 : 0,
          border: phone ? `8px solid ${token.colorTextTertiary}` : undefined,
          borderRadius: phone ? 24 : undefined,
          minHeight: phone ? 560 : undefined,
          background: token.colorBgLayout,
        }}
      >
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('form.newTitle', { form: text(spec.title) })}
        </Typography.Title>
        {spec.fields.length === 0 && <Empty />}
        <Form layout="vertical" component="div">
          {sectionsOf(spec).map((s, i) => (
            <Card key={i} size="small" title={s.title ? text(s.title) : undefined} style={{ marginBottom: 12 }}>
              <Row gutter={16}>
                {s.fields
                  .map((k) => byKey.get(k))
                  .filter((f) => f && states.get(f.key)?.visible && !fieldTypeUI(f.type).computed)
                  .map((f) => (
                    <Col key={f!.key} span={phone || WIDE.has(f!.type) ? 24 : Math.floor(24 / Math.min(Math.max(s.columns ?? 1, 1), 4))}>
                      <FieldItem field={f!} value={values[f!.key]} onChange={(v) => setValues((prev) => ({ ...prev, [f!.key]: v }))} app={app} form={form} required={!!states.get(f!.key)?.required} />
                    </Col>
                  ))}
              </Row>
            </Card>
          ))}
        </Form>
      </div>
    </div>
  );
}
