import { Alert, Button, Card, Empty, Flex, Form, Input, InputNumber, Segmented, Switch, Table, Tag, Typography, theme } from 'antd';
import { useMemo, useState } from 'react';
import { useI18n } from '../../i18n/useI18n';
import { problemText } from '../errors';
import { WhichVersion, type Which } from '../lifecycle/WhichVersion';
import type { Designer } from '../lifecycle/useDesigner';
import { testAction, type ActionTestResult } from './api';
import { useActionText } from './messages';
import { paramsOf, propertyOf, sample, type ActionSpec, type Param } from './model';

type Value = string | number | boolean | undefined;

/** Parameters edited as JSON text in the form: objects, lists and kept schemas. */
const asJson = (p: Param) => p.type === 'object' || p.type === 'array' || p.type === '';

/** The form's starting values: JSON samples for required structured parameters, the rest empty. */
function initial(spec: ActionSpec): Record<string, Value> {
  return Object.fromEntries(paramsOf(spec.input).map((p) => [p.name, asJson(p) && p.required ? JSON.stringify(sample(spec.input, propertyOf(p)), null, 1) : undefined]));
}

/** The input the form's values make; the name of a JSON box that does not parse is thrown. */
function inputOf(params: Param[], values: Record<string, Value>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) {
    const v = values[p.name];
    if (v === undefined || v === '') continue;
    if (asJson(p) && typeof v === 'string') {
      try {
        out[p.name] = JSON.parse(v);
      } catch {
        throw new Error(p.name);
      }
    } else out[p.name] = v;
  }
  return out;
}

/**
 * The test run: the input as a form generated from the input schema (or
 * as JSON), the draft (saved first when changed) or the published version,
 * and what the run gave — output or error (with a way to its line), the
 * log and what it would have written. The server rolls the run back.
 */
export function TestPanel({ d, onResult, onShowLine }: { d: Designer<ActionSpec>; onResult: (r: ActionTestResult) => void; onShowLine: (line: number) => void }) {
  const a = useActionText();
  const { t } = useI18n();
  const { token } = theme.useToken();
  const params = useMemo(() => paramsOf(d.spec.input), [d.spec.input]);
  const [values, setValues] = useState<Record<string, Value>>(() => initial(d.spec));
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [json, setJson] = useState('');
  const [which, setWhich] = useState<Which>(d.published ? 'published' : 'draft');
  const [result, setResult] = useState<ActionTestResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (name: string, v: Value) => setValues((s) => ({ ...s, [name]: v }));

  const switchMode = (m: 'form' | 'json') => {
    if (m === 'json') {
      try {
        setJson(JSON.stringify(inputOf(params, values), null, 2));
      } catch {
        setJson('{}');
      }
    }
    setMode(m);
  };

  const run = async () => {
    setError(undefined);
    let input: unknown;
    try {
      input = mode === 'json' ? JSON.parse(json || '{}') : inputOf(params, values);
    } catch (e) {
      setError(a('test.badJson', { name: mode === 'json' ? a('test.input') : (e as Error).message }));
      return;
    }
    setBusy(true);
    try {
      if (which === 'draft' && d.dirty && !(await d.save())) return;
      const r = await testAction(d.app, d.key, input, which);
      setResult(r);
      onResult(r);
    } catch (e) {
      setResult(undefined);
      setError(problemText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const control = (p: Param) => {
    const v = values[p.name];
    const common = { 'aria-label': p.name, 'data-testid': `test-input-${p.name}` };
    if (asJson(p)) return <Input.TextArea {...common} value={typeof v === 'string' ? v : ''} onChange={(e) => set(p.name, e.target.value)} autoSize={{ minRows: 1, maxRows: 8 }} style={{ fontFamily: token.fontFamilyCode }} />;
    if (p.type === 'boolean') return <Switch {...common} checked={v === true} onChange={(c) => set(p.name, c)} />;
    if (p.type === 'integer' || p.type === 'number')
      return <InputNumber {...common} value={typeof v === 'number' ? v : null} onChange={(n) => set(p.name, n ?? undefined)} precision={p.type === 'integer' ? 0 : undefined} style={{ width: '100%', maxWidth: 240 }} />;
    const options = Array.isArray(p.rest.enum) ? (p.rest.enum as unknown[]).filter((x) => typeof x === 'string') : [];
    return <Input {...common} value={typeof v === 'string' ? v : ''} onChange={(e) => set(p.name, e.target.value)} placeholder={options.join(' / ')} />;
  };

  const w = result?.writes;
  return (
    <Flex vertical gap={12} data-testid="action-test">
      <Typography.Text type="secondary">{a('test.hint')}</Typography.Text>
      <Card size="small" title={a('test.input')} extra={<Segmented size="small" value={mode} onChange={(m) => switchMode(m as 'form' | 'json')} options={[{ value: 'form', label: a('test.form') }, { value: 'json', label: a('test.json') }]} data-testid="test-mode" />}>
        {mode === 'json' ? (
          <Input.TextArea value={json} onChange={(e) => setJson(e.target.value)} autoSize={{ minRows: 6, maxRows: 20 }} style={{ fontFamily: token.fontFamilyCode }} aria-label={a('test.input')} data-testid="test-json" />
        ) : (
          <Form layout="vertical" size="small" component="div">
            {params.map((p) => (
              <Form.Item key={p.name} label={p.name} required={p.required} help={p.description || undefined} style={{ marginBottom: 12 }}>
                {control(p)}
              </Form.Item>
            ))}
          </Form>
        )}
      </Card>
      <Flex gap={8} wrap align="center">
        <WhichVersion value={which} onChange={setWhich} published={!!d.published} />
        <Button type="primary" onClick={() => void run()} loading={busy} data-testid="test-run-button">
          {which === 'draft' && d.dirty ? a('test.saveAndRun') : a('test.run')}
        </Button>
      </Flex>
      {error && <Alert type="error" showIcon message={error} data-testid="test-error" />}
      {result && (
        <>
          <Alert
            type={result.ok ? 'success' : 'error'}
            showIcon
            data-testid="test-summary"
            message={result.ok ? a('test.ok', { version: result.version, ms: Number(result.ms).toFixed(1) }) : a('test.failed', { version: result.version })}
            description={<span data-testid="test-rolled-back">{a('test.rolledBack')}</span>}
          />
          {result.ok ? (
            <Card size="small" title={a('test.output')}>
              <pre data-testid="test-output" style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                {JSON.stringify(result.output, null, 2)}
              </pre>
            </Card>
          ) : (
            <Card size="small" title={a('test.error')}>
              <Flex vertical gap={4} data-testid="test-failure">
                <Typography.Text type="danger">
                  <Tag>{result.error?.code}</Tag>
                  {result.error?.message}
                </Typography.Text>
                {result.error?.errors?.map((f, i) => (
                  <Typography.Text key={i} type="secondary">
                    {f.path}: {f.message}
                  </Typography.Text>
                ))}
                {result.error?.line ? (
                  <Button size="small" onClick={() => onShowLine(result.error!.line!)} style={{ alignSelf: 'flex-start' }} data-testid="test-show-line">
                    {a('test.showLine')} · {a('test.at', { line: result.error.line, column: result.error.column ?? 0 })}
                  </Button>
                ) : null}
              </Flex>
            </Card>
          )}
          <Card size="small" title={a('test.log')}>
            {result.logs.length === 0 ? (
              <Typography.Text type="secondary">{a('test.noLog')}</Typography.Text>
            ) : (
              <pre data-testid="test-log" style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                {result.logs.join('\n')}
              </pre>
            )}
          </Card>
          <Card size="small" title={a('test.writes')} data-testid="test-writes">
            {w && w.records.length === 0 && w.ledger.length === 0 && Object.keys(w.other).length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={a('test.noWrites')} />}
            {w && w.ledger.length > 0 && (
              <Flex vertical gap={4} style={{ marginBottom: 12 }} data-testid="test-ledger">
                <Typography.Text strong>{a('test.ledger')}</Typography.Text>
                {w.ledger.map((e) => (
                  <Typography.Text key={e.entry} style={{ wordBreak: 'break-all' }}>
                    <Tag color={e.amount >= 0 ? 'green' : 'orange'}>
                      {e.kind} {e.amount >= 0 ? '+' : ''}
                      {e.amount}
                    </Tag>
                    {e.type} · {e.owner} · {a('test.balanceAfter', { n: e.balanceAfter })}
                  </Typography.Text>
                ))}
              </Flex>
            )}
            {w && w.records.length > 0 && (
              <div style={{ marginBottom: 12 }} data-testid="test-records">
                <Typography.Text strong>{a('test.records')}</Typography.Text>
                <Table
                  size="small"
                  pagination={false}
                  rowKey={(r) => `${r.form}/${r.id}`}
                  dataSource={w.records}
                  scroll={{ x: true }}
                  columns={[
                    { title: a('test.records'), dataIndex: 'form' },
                    { title: '', dataIndex: 'op', render: (op: 'create' | 'update' | 'delete') => <Tag>{a(`op.${op}`)}</Tag> },
                    { title: 'ID', dataIndex: 'id', render: (id: string) => <Typography.Text copyable={{ text: id }}>{id.slice(0, 8)}…</Typography.Text> },
                    { title: '', dataIndex: 'fields', render: (f?: string[]) => <span style={{ wordBreak: 'break-word' }}>{f?.join(', ')}</span> },
                  ]}
                />
              </div>
            )}
            {w && Object.keys(w.other).length > 0 && (
              <Typography.Text type="secondary" style={{ wordBreak: 'break-all' }}>
                {a('test.other')}:{' '}
                {Object.entries(w.other)
                  .map(([k, n]) => `${k} ×${n}`)
                  .join(', ')}
              </Typography.Text>
            )}
            {w?.truncated && <Alert type="warning" message={a('test.truncated')} />}
          </Card>
        </>
      )}
    </Flex>
  );
}
