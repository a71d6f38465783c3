import { PlayCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Descriptions, Flex, Form, Input, Select, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { listDefinitions } from '../../api/meta';
import type { RecordDoc } from '../../api/formTypes';
import { listRecords } from '../../api/records';
import { useAsync } from '../../hooks/useAsync';
import { problemText } from '../errors';
import { WhichVersion, type Which } from '../lifecycle/WhichVersion';
import { useI18n } from '../../i18n/useI18n';
import { evaluateRule, type RuleResult } from '../api';
import type { Designer } from '../lifecycle/useDesigner';
import { outputText, toJsonValue, validValue, type Column, type RuleSpec } from './table';

/** The typed inputs as the evaluate endpoint reads them; blanks are left out. */
export function previewInputs(cols: readonly Column[], values: Record<string, string | string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of cols) {
    const v = values[c.key];
    if (c.type === 'list') {
      if (Array.isArray(v) && v.length > 0) out[c.key] = v;
    } else if (typeof v === 'string' && v.trim() !== '' && validValue(c.type, v.trim())) out[c.key] = toJsonValue(c.type, v.trim());
  }
  return out;
}

/** A record's values as preview inputs: the fields named like the table's inputs. */
export function inputsFromRecord(cols: readonly Column[], rec: RecordDoc): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const c of cols) {
    const v = rec[c.key];
    if (Array.isArray(v)) out[c.key] = v.map(String);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[c.key] = String(v);
  }
  return out;
}

function InputControl({ c, value, onChange }: { c: Column; value: string | string[] | undefined; onChange: (v: string | string[]) => void }) {
  const { t, text } = useI18n();
  const label = text(c.label) || c.key;
  if (c.type === 'list') {
    return <Select mode={c.options ? 'multiple' : 'tags'} open={c.options ? undefined : false} value={Array.isArray(value) ? value : []} onChange={onChange} options={(c.options ?? []).map((o) => ({ value: o, label: o }))} aria-label={label} />;
  }
  const v = typeof value === 'string' ? value : '';
  if (c.options) return <Select allowClear value={v || undefined} onChange={(x?: string) => onChange(x ?? '')} options={c.options.map((o) => ({ value: o, label: o }))} aria-label={label} />;
  if (c.type === 'bool')
    return (
      <Select
        allowClear
        value={v || undefined}
        onChange={(x?: string) => onChange(x ?? '')}
        options={[
          { value: 'true', label: t('field.yes') },
          { value: 'false', label: t('field.no') },
        ]}
        aria-label={label}
      />
    );
  if (c.type === 'date') return <DatePicker value={v ? dayjs(v) : null} onChange={(d) => onChange(d ? d.format('YYYY-MM-DD') : '')} style={{ width: '100%' }} aria-label={label} data-testid={`preview-input-${c.key}`} />;
  return <Input value={v} onChange={(e) => onChange(e.target.value)} status={v && !validValue(c.type, v) ? 'error' : undefined} aria-label={label} data-testid={`preview-input-${c.key}`} />;
}

interface Props {
  d: Designer<RuleSpec>;
  /** Shows which rows the last evaluation used. */
  onRows: (rows: number[]) => void;
}

/**
 * Evaluates the table on sample inputs, or on the values of a chosen
 * record (a member: the fields named like the inputs): the draft being
 * edited (saved first) or the published revision.
 */
export function RulePreview({ d, onRows }: Props) {
  const { t, text } = useI18n();
  const spec = d.spec;
  const [values, setValues] = useState<Record<string, string | string[]>>({});
  const [which, setWhich] = useState<Which>('draft');
  const [result, setResult] = useState<RuleResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState<string>();
  const [records, setRecords] = useState<RecordDoc[]>([]);
  const { data: forms } = useAsync(() => listDefinitions(d.app, 'form'), [d.app]);

  useEffect(() => onRows(result?.rows ?? []), [result, onRows]);

  const search = (q: string) => {
    if (!form) return;
    listRecords(d.app, form, { q, limit: 20 }).then(
      (p) => setRecords(p.items),
      () => setRecords([]),
    );
  };

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      let version: number | undefined;
      if (which === 'draft') {
        if (d.dirty && !(await d.save())) return;
        version = d.latest.version;
      }
      setResult(await evaluateRule(d.app, d.key, previewInputs(spec.inputs, values), version));
    } catch (e) {
      setResult(undefined);
      setError(problemText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" title={t('builder.rule.preview')} data-testid="rule-preview">
      <Flex vertical gap={8}>
        <Flex gap={8} wrap align="center">
          <Select
            allowClear
            placeholder={t('builder.rule.pickForm')}
            value={form}
            onChange={(f?: string) => {
              setForm(f);
              setRecords([]);
            }}
            options={(forms ?? []).map((f) => ({ value: f.key, label: text(f.spec.title) || f.key }))}
            style={{ minWidth: 140 }}
            aria-label={t('builder.rule.pickForm')}
          />
          <Select
            showSearch
            disabled={!form}
            placeholder={t('builder.rule.pickRecord')}
            filterOption={false}
            onSearch={search}
            onFocus={() => search('')}
            onChange={(id: string) => {
              const rec = records.find((r) => r._id === id);
              if (rec) setValues((v) => ({ ...v, ...inputsFromRecord(spec.inputs, rec) }));
            }}
            options={records.map((r) => ({ value: r._id, label: String(r.name ?? r.title ?? r._id) }))}
            style={{ minWidth: 180 }}
            aria-label={t('builder.rule.pickRecord')}
          />
        </Flex>
        <Form layout="vertical" size="small" component="div">
          {spec.inputs.map((c) => (
            <Form.Item key={c.key} label={`${text(c.label) || c.key}${c.required ? ' *' : ''}`} style={{ marginBottom: 8 }}>
              <InputControl c={c} value={values[c.key]} onChange={(v) => setValues((x) => ({ ...x, [c.key]: v }))} />
            </Form.Item>
          ))}
        </Form>
        <Flex gap={8} align="center">
          <WhichVersion value={which} onChange={setWhich} published={!!d.published} />
          <Button type="primary" icon={<PlayCircleOutlined />} loading={busy} onClick={() => void run()} data-testid="evaluate">
            {t('builder.rule.evaluate')}
          </Button>
        </Flex>
        {error && <Alert type="error" showIcon message={error} data-testid="evaluate-error" />}
        {result && (
          <div data-testid="evaluate-result">
            <Typography.Text>
              {result.matched ? <Tag color="green">{t('builder.rule.matched', { rows: result.rows.map((r) => r + 1).join(', ') })}</Tag> : <Tag>{t('builder.rule.noMatch')}</Tag>}
              <Typography.Text type="secondary">v{result.version}</Typography.Text>
            </Typography.Text>
            {result.outputs && (
              <Descriptions size="small" column={1} bordered style={{ marginTop: 8 }}>
                {spec.outputs.map((o) => (
                  <Descriptions.Item key={o.key} label={text(o.label) || o.key}>
                    <span data-testid={`result-${o.key}`}>{outputText(result.outputs?.[o.key])}</span>
                  </Descriptions.Item>
                ))}
              </Descriptions>
            )}
            {result.list && (
              <Typography.Paragraph code style={{ marginTop: 8 }}>
                {JSON.stringify(result.list)}
              </Typography.Paragraph>
            )}
          </div>
        )}
      </Flex>
    </Card>
  );
}
