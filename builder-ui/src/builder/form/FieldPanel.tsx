import { Alert, Form, Input, Select, Switch, Tabs } from 'antd';
import { useEffect, useState } from 'react';
import type { FieldDef } from '../../api/formTypes';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { useI18n } from '../../i18n/useI18n';
import { LocalizedInput } from '../LocalizedInput';
import { ConditionEditor } from './ConditionEditor';
import { FormulaEditor } from './FormulaEditor';
import { FIELD_KEY } from './model';
import { paletteItem } from './palette';
import { TypeSettings, type FieldEnv } from './TypeSettings';

interface Props {
  app: string;
  f: FieldDef;
  env: FieldEnv;
  /** Whether the published form has this field: its key and type then stay (records hold its values). */
  published: boolean;
  set: (patch: Partial<FieldDef>, group?: string) => void;
  rename: (to: string) => void;
  seal: () => void;
  /** Local and server messages about this field. */
  messages: string[];
  serverErrors: string[];
}

/** The key box: applied when it is a valid, unused key, so typing never breaks the form. */
function KeyInput({ f, env, published, rename }: Pick<Props, 'f' | 'env' | 'published' | 'rename'>) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(f.key);
  useEffect(() => setDraft(f.key), [f.key]);
  const taken = draft !== f.key && env.spec.fields.some((x) => x.key === draft);
  const bad = !FIELD_KEY.test(draft);
  return (
    <Form.Item label={t('builder.form.key')} validateStatus={taken || bad ? 'error' : undefined} help={published ? t('builder.form.keyPublished') : taken ? t('builder.form.keyTaken') : bad ? t('builder.form.keyRule') : undefined}>
      <Input
        value={draft}
        disabled={published}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => !taken && !bad && rename(draft)}
        onPressEnter={() => !taken && !bad && rename(draft)}
        aria-label={t('builder.form.key')}
        data-testid="field-key"
      />
    </Form.Item>
  );
}

function DefaultValue({ app, f, env, set }: Pick<Props, 'app' | 'f' | 'env' | 'set'>) {
  const { t } = useI18n();
  const ui = fieldTypeUI(f.type);
  if (ui.computed || !ui.Input || f.type === 'subtable' || f.type === 'attachment' || f.type === 'image') return null;
  const Input_ = ui.Input;
  const d = f.default;
  const formula = typeof d === 'object' && d !== null && !Array.isArray(d) && 'formula' in d;
  const value = d === undefined || formula ? undefined : ui.fromInput ? ui.fromInput(d, f) : d;
  return (
    <Form.Item label={t('builder.form.default')} extra={formula ? t('builder.form.defaultFormula') : undefined}>
      {!formula && (
        <Input_
          field={{ ...f, required: false }}
          value={value}
          onChange={(v) => {
            const out = v === null || v === undefined || v === '' ? undefined : ui.toInput ? ui.toInput(v, f) : v;
            set({ default: out === null || out === '' ? undefined : out }, `default:${f.key}`);
          }}
          ctx={{ app, form: env.self }}
        />
      )}
    </Form.Item>
  );
}

/** The properties of the selected field: general, its type's settings, and its conditions. */
export function FieldPanel(p: Props) {
  const { t, locale } = useI18n();
  const { f, set } = p;
  const computed = !!fieldTypeUI(f.type).computed;
  const general = (
    <Form layout="vertical" size="small" component="div">
      {p.messages.length > 0 && <Alert type="error" showIcon message={p.messages.join('; ')} style={{ marginBottom: 8 }} data-testid="field-problems" />}
      <Form.Item label={t('builder.form.type')}>
        <Input value={paletteItem(f.type).title[locale]} disabled />
      </Form.Item>
      <Form.Item label={t('builder.form.label')}>
        <LocalizedInput value={f.label} onChange={(label) => set({ label: label ?? '' }, `label:${f.key}`)} onBlur={p.seal} label={t('builder.form.label')} testId="field-label" />
      </Form.Item>
      <KeyInput f={f} env={p.env} published={p.published} rename={p.rename} />
      <Form.Item label={t('builder.form.description')}>
        <LocalizedInput value={f.description} onChange={(description) => set({ description }, `desc:${f.key}`)} onBlur={p.seal} label={t('builder.form.description')} />
      </Form.Item>
      {!computed && (
        <Form.Item label={t('builder.form.placeholder')}>
          <LocalizedInput value={f.placeholder} onChange={(placeholder) => set({ placeholder }, `ph:${f.key}`)} onBlur={p.seal} label={t('builder.form.placeholder')} />
        </Form.Item>
      )}
      {!computed && (
        <Form.Item label={t('builder.form.flags')}>
          <Select
            mode="multiple"
            value={(['unique', 'readOnly', 'hidden'] as const).filter((k) => f[k] === true)}
            onChange={(flags: string[]) => set({ unique: flags.includes('unique') || undefined, readOnly: flags.includes('readOnly') || undefined, hidden: flags.includes('hidden') || undefined })}
            options={(['unique', 'readOnly', 'hidden'] as const).map((k) => ({ value: k, label: t(`builder.form.${k}`) }))}
            aria-label={t('builder.form.flags')}
            data-testid="field-flags"
          />
        </Form.Item>
      )}
      {!computed && (
        <Form.Item label={t('builder.form.required')}>
          <Switch checked={f.required === true} onChange={(r) => set({ required: r || undefined })} data-testid="field-required" />
        </Form.Item>
      )}
      <DefaultValue app={p.app} f={f} env={p.env} set={set} />
      {f.type === 'formula' && <FormulaEditor f={f} spec={p.env.spec} set={set} serverErrors={p.serverErrors} />}
      <TypeSettings f={f} set={set} env={p.env} />
    </Form>
  );
  const logic = (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 16 }}>
      <ConditionEditor key={`v:${f.key}`} app={p.app} form={p.env.self} spec={p.env.spec} f={f} which="visibleWhen" set={set} />
      {!computed && <ConditionEditor key={`r:${f.key}`} app={p.app} form={p.env.self} spec={p.env.spec} f={f} which="requiredWhen" set={set} />}
    </div>
  );
  return (
    <Tabs
      size="small"
      items={[
        { key: 'general', label: t('builder.form.tabField'), children: general },
        { key: 'logic', label: t('builder.form.tabLogic'), children: logic },
      ]}
    />
  );
}
