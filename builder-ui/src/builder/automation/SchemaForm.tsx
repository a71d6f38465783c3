import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Form, Input, InputNumber, Select, Switch, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n/useI18n';
import type { JsonSchema } from './api';
import { NESTED_STEP_KEYS, type Step } from './steps';

/** What settings forms need besides the schema: the app's forms and how to edit nested steps. */
export interface SchemaEnv {
  forms: { value: string; label: string }[];
  /** Edits a nested list of steps (a branch's then, a variant's actions). */
  steps: (value: Step[], onChange: (v: Step[]) => void, path: string) => ReactNode;
  /** Edits a record condition (a branch's record test) on the trigger's form. */
  filter: (value: Record<string, unknown> | undefined, onChange: (v: Record<string, unknown> | undefined) => void) => ReactNode;
}

function typeOf(s: JsonSchema | undefined): string | undefined {
  return Array.isArray(s?.type) ? s.type[0] : s?.type;
}

/** Any JSON value typed as text, applied when it parses. */
function JsonInput({ value, onChange }: { value: unknown; onChange: (v: unknown) => void }) {
  const { t } = useI18n();
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 1)));
  const [bad, setBad] = useState(false);
  useEffect(() => {
    setText(value === undefined ? '' : JSON.stringify(value, null, 1));
  }, [JSON.stringify(value)]);
  return (
    <>
      <Input.TextArea
        value={text}
        status={bad ? 'error' : undefined}
        autoSize={{ minRows: 1, maxRows: 8 }}
        style={{ fontFamily: 'monospace', fontSize: 12 }}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setBad(false);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <Typography.Text type="danger">{t('builder.auto.badJson')}</Typography.Text>}
    </>
  );
}

function Field({ name, schema, value, onChange, env, path }: { name: string; schema: JsonSchema; value: unknown; onChange: (v: unknown) => void; env: SchemaEnv; path: string }) {
  const { t } = useI18n();
  const type = typeOf(schema);
  if (NESTED_STEP_KEYS.has(name) && type === 'array') return <>{env.steps(Array.isArray(value) ? (value as Step[]) : [], (v) => onChange(v), `${path}.${name}`)}</>;
  if (name === 'record' && type === 'object') return <>{env.filter(value as Record<string, unknown> | undefined, onChange)}</>;
  if (name === 'form' && type === 'string') return <Select allowClear value={typeof value === 'string' ? value : undefined} onChange={onChange} options={env.forms} aria-label={name} />;
  if (schema.enum) return <Select allowClear value={value as string} onChange={onChange} options={schema.enum.map((e) => ({ value: e as string, label: String(e) }))} aria-label={name} />;
  switch (type) {
    case 'string':
      return <Input value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || undefined)} aria-label={name} />;
    case 'integer':
    case 'number':
      return <InputNumber value={typeof value === 'number' ? value : null} onChange={(v) => onChange(v ?? undefined)} min={schema.minimum} max={schema.maximum} precision={type === 'integer' ? 0 : undefined} style={{ width: '100%' }} aria-label={name} />;
    case 'boolean':
      return <Switch checked={value === true} onChange={(v) => onChange(v || undefined)} aria-label={name} />;
    case 'array': {
      const items = schema.items;
      if (typeOf(items) === 'string' || (items && !items.properties && typeOf(items) !== 'object')) {
        if (typeOf(items) === 'string') return <Select mode="tags" open={false} value={Array.isArray(value) ? (value as string[]) : []} onChange={(v: string[]) => onChange(v.length > 0 ? v : undefined)} aria-label={name} />;
      }
      if (items?.properties) {
        const list = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
        return (
          <Flex vertical gap={6}>
            {list.map((x, i) => (
              <Flex key={i} gap={4} align="start" style={{ borderInlineStart: '2px solid #eee', paddingInlineStart: 6 }}>
                <div style={{ flex: 1 }}>
                  <SchemaForm schema={items} value={x} onChange={(v) => onChange(list.map((y, j) => (j === i ? v : y)))} env={env} path={`${path}.${name}[${i}]`} />
                </div>
                <Button type="text" danger icon={<DeleteOutlined />} onClick={() => onChange(list.filter((_y, j) => j !== i))} aria-label={t('builder.remove')} />
              </Flex>
            ))}
            <Button size="small" icon={<PlusOutlined />} onClick={() => onChange([...list, {}])}>
              {t('builder.auto.addItem')}
            </Button>
          </Flex>
        );
      }
      break;
    }
    case 'object':
      if (schema.properties) return <SchemaForm schema={schema} value={(value as Record<string, unknown>) ?? {}} onChange={onChange} env={env} path={`${path}.${name}`} />;
  }
  return <JsonInput value={value} onChange={onChange} />;
}

/**
 * A settings form generated from an extension's JSON Schema (its Spec
 * Config): text, numbers, switches and choices for plain properties, forms
 * for objects and lists of objects, the app's forms for "form", nested step
 * lists for branches and variants, and JSON for anything else.
 */
export function SchemaForm({ schema, value, onChange, env, path = 'config' }: { schema: JsonSchema | undefined; value: Record<string, unknown> | undefined; onChange: (v: Record<string, unknown>) => void; env: SchemaEnv; path?: string }) {
  const v = value ?? {};
  const props = schema?.properties;
  if (!props) return <JsonInput value={value} onChange={(x) => onChange((x as Record<string, unknown>) ?? {})} />;
  const set = (k: string, x: unknown) => {
    const next = { ...v };
    if (x === undefined) delete next[k];
    else next[k] = x;
    onChange(next);
  };
  return (
    <Form layout="vertical" size="small" component="div" style={{ width: '100%' }}>
      {Object.entries(props).map(([k, s]) => (
        <Form.Item key={k} label={k} required={schema?.required?.includes(k)} tooltip={s.description} style={{ marginBottom: 8 }}>
          <Field name={k} schema={s} value={v[k]} onChange={(x) => set(k, x)} env={env} path={path} />
        </Form.Item>
      ))}
    </Form>
  );
}
