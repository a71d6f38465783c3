import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, DatePicker, Flex, Form, Input, InputNumber, Select, Switch } from 'antd';
import dayjs from 'dayjs';
import type { FieldDef, FieldOption, FormSpec } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LocalizedInput } from '../LocalizedInput';
import { FIELD_KEY } from './model';
import { paletteItem } from './palette';
import { TYPE_SETTINGS, type Setting } from './settings';

/** What the settings editors need besides the field: the form and the app's other forms. */
export interface FieldEnv {
  spec: FormSpec;
  self: string;
  /** Forms of the app by key (latest revisions), for relation targets, lookups and rollups. */
  forms: ReadonlyMap<string, FormSpec>;
}

interface EditorProps {
  f: FieldDef;
  set: (patch: Partial<FieldDef>, group?: string) => void;
  env: FieldEnv;
}

function settingLabel(t: (k: MessageKey) => string, name: string): string {
  return t(`builder.setting.${name}` as MessageKey);
}

function PlainSetting({ s, f, set }: { s: Setting } & EditorProps) {
  const { t } = useI18n();
  const v = f[s.name];
  const label = settingLabel(t, s.name);
  const put = (x: unknown) => set({ [s.name]: x === null || x === '' ? undefined : x }, `setting:${f.key}:${s.name}`);
  switch (s.kind) {
    case 'bool':
      return (
        <Form.Item label={label}>
          <Switch checked={v === true} onChange={(x) => put(x || undefined)} aria-label={label} />
        </Form.Item>
      );
    case 'enum':
      return (
        <Form.Item label={label}>
          <Select allowClear value={typeof v === 'string' ? v : undefined} onChange={put} options={(s.values ?? []).map((x) => ({ value: x, label: x }))} aria-label={label} />
        </Form.Item>
      );
    case 'int':
    case 'number':
      return (
        <Form.Item label={label}>
          <InputNumber value={typeof v === 'number' ? v : null} onChange={put} min={s.min} max={s.max} precision={s.kind === 'int' ? 0 : undefined} style={{ width: '100%' }} aria-label={label} />
        </Form.Item>
      );
    case 'date':
      return (
        <Form.Item label={label}>
          <DatePicker value={typeof v === 'string' && v ? dayjs(v) : null} onChange={(d) => put(d ? d.format('YYYY-MM-DD') : undefined)} style={{ width: '100%' }} aria-label={label} />
        </Form.Item>
      );
    case 'tags':
      return (
        <Form.Item label={label}>
          <Select mode="tags" value={Array.isArray(v) ? (v as string[]) : []} onChange={(x: string[]) => put(x.length ? x : undefined)} open={false} aria-label={label} />
        </Form.Item>
      );
  }
  return (
    <Form.Item label={label}>
      <Input value={typeof v === 'string' ? v : ''} onChange={(e) => put(e.target.value)} aria-label={label} />
    </Form.Item>
  );
}

function OptionsEditor({ f, set }: EditorProps) {
  const { t } = useI18n();
  const options = f.options ?? [];
  const put = (next: FieldOption[]) => set({ options: next }, `options:${f.key}`);
  const at = (i: number, patch: Partial<FieldOption>) => put(options.map((o, j) => (j === i ? { ...o, ...patch } : o)));
  return (
    <Form.Item label={t('builder.setting.options')}>
      <Flex vertical gap={8} data-testid="options-editor">
        {options.map((o, i) => (
          <Flex key={i} gap={4} align="start">
            <Input value={o.value} onChange={(e) => at(i, { value: e.target.value })} style={{ width: 96 }} aria-label={t('builder.form.optionValue')} />
            <div style={{ flex: 1 }}>
              <LocalizedInput value={o.label} onChange={(label) => at(i, { label: label ?? '' })} label={t('builder.form.optionLabel')} />
            </div>
            <Button type="text" danger icon={<DeleteOutlined />} onClick={() => put(options.filter((_x, j) => j !== i))} aria-label={t('builder.remove')} />
          </Flex>
        ))}
        <Button
          size="small"
          icon={<PlusOutlined />}
          onClick={() => {
            const n = options.length + 1;
            let value = `option${n}`;
            for (let k = n; options.some((o) => o.value === value); k++) value = `option${k + 1}`;
            put([...options, { value, label: { 'zh-CN': `选项${n}`, en: `Option ${n}` } }]);
          }}
        >
          {t('builder.form.addOption')}
        </Button>
      </Flex>
    </Form.Item>
  );
}

function formOptions(env: FieldEnv, text: (v: FormSpec['title']) => string) {
  return [...env.forms.entries()].map(([k, s]) => ({ value: k, label: `${text(s.title) || k} (${k})` }));
}

function RelationEditor({ f, set, env }: EditorProps) {
  const { t, text } = useI18n();
  return (
    <Form.Item label={t('builder.setting.form')}>
      <Select value={typeof f.form === 'string' && f.form ? f.form : undefined} onChange={(form: string) => set({ form })} options={formOptions(env, text)} aria-label={t('builder.setting.form')} data-testid="relation-target" showSearch optionFilterProp="label" />
    </Form.Item>
  );
}

function LookupEditor({ f, set, env }: EditorProps) {
  const { t, text } = useI18n();
  const relations = env.spec.fields.filter((x) => x.type === 'relation');
  const rel = relations.find((x) => x.key === f.relation);
  const target = rel && typeof rel.form === 'string' ? (rel.form === env.self ? env.spec : env.forms.get(rel.form)) : undefined;
  return (
    <>
      <Form.Item label={t('builder.setting.relation')}>
        <Select value={typeof f.relation === 'string' && f.relation ? f.relation : undefined} onChange={(relation: string) => set({ relation, field: '' })} options={relations.map((r) => ({ value: r.key, label: text(r.label) || r.key }))} aria-label={t('builder.setting.relation')} />
      </Form.Item>
      <Form.Item label={t('builder.setting.field')}>
        <Select value={typeof f.field === 'string' && f.field ? f.field : undefined} onChange={(field: string) => set({ field })} options={(target?.fields ?? []).map((x) => ({ value: x.key, label: text(x.label) || x.key }))} aria-label={t('builder.setting.field')} disabled={!target} />
      </Form.Item>
      <Form.Item label={t('builder.setting.kind')}>
        <Select allowClear value={typeof f.kind === 'string' ? f.kind : undefined} onChange={(kind?: string) => set({ kind })} options={['string', 'int', 'decimal', 'bool', 'date', 'time'].map((k) => ({ value: k, label: k }))} aria-label={t('builder.setting.kind')} />
      </Form.Item>
    </>
  );
}

const ROLLUP_OPS = ['count', 'sum', 'min', 'max', 'avg'];

function RollupEditor({ f, set, env }: EditorProps) {
  const { t, text } = useI18n();
  const child = typeof f.form === 'string' ? (f.form === env.self ? env.spec : env.forms.get(f.form)) : undefined;
  // The child's relations that point back at this form.
  const vias = (child?.fields ?? []).filter((x) => x.type === 'relation' && x.form === env.self);
  return (
    <>
      <Form.Item label={t('builder.setting.childForm')}>
        <Select value={typeof f.form === 'string' && f.form ? f.form : undefined} onChange={(form: string) => set({ form, via: '', field: undefined })} options={formOptions(env, text)} aria-label={t('builder.setting.childForm')} />
      </Form.Item>
      <Form.Item label={t('builder.setting.via')}>
        <Select value={typeof f.via === 'string' && f.via ? f.via : undefined} onChange={(via: string) => set({ via })} options={vias.map((x) => ({ value: x.key, label: text(x.label) || x.key }))} aria-label={t('builder.setting.via')} />
      </Form.Item>
      <Form.Item label={t('builder.setting.op')}>
        <Select value={typeof f.op === 'string' ? f.op : undefined} onChange={(op: string) => set(op === 'count' ? { op, field: undefined, kind: 'int' } : { op })} options={ROLLUP_OPS.map((o) => ({ value: o, label: t(`builder.agg.${o}` as MessageKey) }))} aria-label={t('builder.setting.op')} />
      </Form.Item>
      {f.op !== 'count' && (
        <Form.Item label={t('builder.setting.field')}>
          <Select value={typeof f.field === 'string' ? f.field : undefined} onChange={(field: string) => set({ field })} options={(child?.fields ?? []).map((x) => ({ value: x.key, label: text(x.label) || x.key }))} aria-label={t('builder.setting.field')} />
        </Form.Item>
      )}
      <Form.Item label={t('builder.setting.kind')}>
        <Select allowClear value={typeof f.kind === 'string' ? f.kind : undefined} onChange={(kind?: string) => set({ kind })} options={['string', 'int', 'decimal', 'bool', 'date', 'time'].map((k) => ({ value: k, label: k }))} aria-label={t('builder.setting.kind')} />
      </Form.Item>
    </>
  );
}

/** Types a sub-table column may have: plain values, no nesting, no computed columns. */
const COLUMN_TYPES = ['text', 'textarea', 'number', 'money', 'percent', 'date', 'datetime', 'checkbox', 'select', 'phone', 'email', 'barcode'];

function SubtableEditor({ f, set }: EditorProps) {
  const { t, locale } = useI18n();
  const cols = (f.fields ?? []) as FieldDef[];
  const put = (next: FieldDef[]) => set({ fields: next }, `columns:${f.key}`);
  const at = (i: number, patch: Partial<FieldDef>) => put(cols.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <Form.Item label={t('builder.setting.fields')}>
      <Flex vertical gap={8}>
        {cols.map((c, i) => (
          <Flex key={i} vertical gap={4} style={{ borderInlineStart: '2px solid #eee', paddingInlineStart: 8 }}>
            <Flex gap={4}>
              <Input value={c.key} status={FIELD_KEY.test(c.key) ? undefined : 'error'} onChange={(e) => at(i, { key: e.target.value })} style={{ width: 110 }} aria-label={t('builder.form.key')} />
              <Select value={c.type} onChange={(type: string) => at(i, type === 'select' ? { type, options: [{ value: 'option1', label: '选项1' }] } : { type })} options={COLUMN_TYPES.map((x) => ({ value: x, label: paletteItem(x).title[locale] }))} style={{ flex: 1 }} aria-label={t('builder.form.type')} />
              <Switch checked={c.required === true} onChange={(r) => at(i, { required: r || undefined })} checkedChildren="*" unCheckedChildren="*" aria-label={t('builder.form.required')} />
              <Button type="text" danger icon={<DeleteOutlined />} onClick={() => put(cols.filter((_x, j) => j !== i))} aria-label={t('builder.remove')} />
            </Flex>
            <LocalizedInput value={c.label} onChange={(label) => at(i, { label: label ?? '' })} label={t('builder.form.label')} />
          </Flex>
        ))}
        <Button size="small" icon={<PlusOutlined />} onClick={() => put([...cols, { key: `col${cols.length + 1}`, type: 'text', label: { 'zh-CN': `列${cols.length + 1}`, en: `Column ${cols.length + 1}` } }])}>
          {t('builder.form.addColumn')}
        </Button>
      </Flex>
    </Form.Item>
  );
}

/** The settings of a field's type: plain ones from TYPE_SETTINGS, then the type's own editor. */
export function TypeSettings(p: EditorProps) {
  const plain = TYPE_SETTINGS[p.f.type] ?? [];
  return (
    <>
      {(p.f.type === 'select' || p.f.type === 'multiselect') && <OptionsEditor {...p} />}
      {p.f.type === 'relation' && <RelationEditor {...p} />}
      {p.f.type === 'lookup' && <LookupEditor {...p} />}
      {p.f.type === 'rollup' && <RollupEditor {...p} />}
      {p.f.type === 'subtable' && <SubtableEditor {...p} />}
      {plain.map((s) => (
        <PlainSetting key={s.name} s={s} {...p} />
      ))}
    </>
  );
}
