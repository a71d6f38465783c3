import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import { Button, Form, InputNumber, Select, Space, Switch, Typography } from 'antd';
import type { FormSpec } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import { LocalizedInput } from '../LocalizedInput';
import { moveSection, removeSection, sectionsOf, updateSection } from './model';

interface Props {
  spec: FormSpec;
  /** The selected section, or undefined for the form's own settings. */
  section: number | undefined;
  set: (next: FormSpec, group?: string) => void;
  seal: () => void;
}

/** The form's settings (title, title field), or those of the selected section. */
export function FormPanel({ spec, section, set, seal }: Props) {
  const { t, text } = useI18n();
  const secs = sectionsOf(spec);
  const s = section === undefined ? undefined : secs[section];
  if (s && section !== undefined) {
    return (
      <Form layout="vertical" size="small" component="div" data-testid="section-panel">
        <Typography.Title level={5}>{t('builder.form.sectionN', { n: section + 1 })}</Typography.Title>
        <Form.Item label={t('builder.form.sectionTitle')}>
          <LocalizedInput value={s.title} onChange={(title) => set(updateSection(spec, section, { title }), `sec:${section}`)} onBlur={seal} label={t('builder.form.sectionTitle')} />
        </Form.Item>
        <Form.Item label={t('builder.form.columns')}>
          <InputNumber min={1} max={4} value={s.columns ?? 1} onChange={(c) => c && set(updateSection(spec, section, { columns: c }))} aria-label={t('builder.form.columns')} data-testid="section-columns" />
        </Form.Item>
        <Form.Item label={t('builder.form.collapsed')}>
          <Switch checked={s.collapsed === true} onChange={(c) => set(updateSection(spec, section, { collapsed: c || undefined }))} />
        </Form.Item>
        <Space>
          <Button icon={<ArrowUpOutlined />} disabled={section === 0} onClick={() => set(moveSection(spec, section, section - 1))}>
            {t('builder.moveUp')}
          </Button>
          <Button icon={<ArrowDownOutlined />} disabled={section === secs.length - 1} onClick={() => set(moveSection(spec, section, section + 1))}>
            {t('builder.moveDown')}
          </Button>
          <Button danger icon={<DeleteOutlined />} disabled={secs.length <= 1} onClick={() => set(removeSection(spec, section))}>
            {t('builder.remove')}
          </Button>
        </Space>
      </Form>
    );
  }
  return (
    <Form layout="vertical" size="small" component="div" data-testid="form-panel">
      <Typography.Title level={5}>{t('builder.form.formSettings')}</Typography.Title>
      <Form.Item label={t('builder.form.formTitle')}>
        <LocalizedInput value={spec.title} onChange={(title) => set({ ...spec, title: title ?? '' }, 'form:title')} onBlur={seal} label={t('builder.form.formTitle')} />
      </Form.Item>
      <Form.Item label={t('builder.form.description')}>
        <LocalizedInput value={spec.description} onChange={(description) => set({ ...spec, description }, 'form:desc')} onBlur={seal} label={t('builder.form.description')} />
      </Form.Item>
      <Form.Item label={t('builder.form.titleField')} extra={t('builder.form.titleFieldHelp')}>
        <Select
          allowClear
          value={spec.titleField}
          onChange={(titleField?: string) => {
            const next = { ...spec };
            if (titleField) next.titleField = titleField;
            else delete next.titleField;
            set(next);
          }}
          options={spec.fields.map((f) => ({ value: f.key, label: text(f.label) || f.key }))}
          aria-label={t('builder.form.titleField')}
        />
      </Form.Item>
    </Form>
  );
}
