import { CheckCircleOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Segmented, Select, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import type { FieldDef, FormSpec } from '../../api/formTypes';
import { listRecords } from '../../api/records';
import { ApiError } from '../../api/problem';
import { useI18n } from '../../i18n/useI18n';
import { checkFormula, FORMULA_FUNCTIONS, formatTrialValue, sampleRecord } from './formula';
import { evaluateFormula, trialProblems, type FormulaTrial, type FormulaTrialResult } from './formulaApi';

interface Props {
  f: FieldDef;
  spec: FormSpec;
  set: (patch: Partial<FieldDef>, group?: string) => void;
  /** The server's messages for this field after the last save. */
  serverErrors: string[];
}

const RESULT_TYPES = ['text', 'number', 'money', 'date', 'datetime', 'checkbox'];

type SampleMode = 'values' | 'record';

/** What the last call to the formula endpoint said. */
type Outcome = { kind: 'checked' } | { kind: 'result'; result: FormulaTrialResult } | { kind: 'problems'; messages: string[]; saveFirst: boolean };

/**
 * The expression of a formula field: the form's field keys and the
 * functions to insert, a check while typing, and the server's own compile
 * and trial (POST .../formulas/evaluate against the saved draft): on values
 * typed for the fields it reads, or on an existing record of the form.
 */
export function FormulaEditor({ f, spec, set, serverErrors }: Props) {
  const { t, text } = useI18n();
  const { app = '', key: form = '' } = useParams();
  const ref = useRef<HTMLTextAreaElement | null>(null);
  const expr = typeof f.expression === 'string' ? f.expression : '';
  const resultType = typeof f.resultType === 'string' ? f.resultType : 'text';
  const others = spec.fields.filter((x) => x.key !== f.key);
  const check = checkFormula(
    expr,
    others.map((x) => x.key),
  );
  const [mode, setMode] = useState<SampleMode>('values');
  const [values, setValues] = useState<Record<string, string>>({});
  const [recordId, setRecordId] = useState<string | undefined>();
  const [busy, setBusy] = useState<'check' | 'evaluate' | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  // A result belongs to the expression it was computed for.
  useEffect(() => setOutcome(undefined), [expr, resultType]);

  const insert = (s: string) => {
    const el = ref.current;
    const at = el ? el.selectionStart : expr.length;
    const end = el ? el.selectionEnd : expr.length;
    set({ expression: expr.slice(0, at) + s + expr.slice(end) }, `expr:${f.key}`);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + s.length, at + s.length);
    });
  };

  const call = async (what: 'check' | 'evaluate') => {
    const trial: FormulaTrial = { expression: expr, resultType, field: f.key };
    if (what === 'evaluate') {
      if (mode === 'record' && recordId) trial.recordId = recordId;
      if (mode === 'values') {
        const types = new Map(spec.fields.map((x) => [x.key, x.type]));
        const used = Object.fromEntries(Object.entries(values).filter(([k]) => check.used.includes(k)));
        trial.record = sampleRecord(used, types);
      }
    }
    setBusy(what);
    try {
      const result = await evaluateFormula(app, form, trial);
      setOutcome(what === 'check' ? { kind: 'checked' } : { kind: 'result', result });
    } catch (err) {
      // Names this form has locally but the saved draft does not: fields added since the last save.
      const saveFirst = err instanceof ApiError && err.code === 'formula.unknown_field' && check.unknown.length === 0;
      setOutcome({ kind: 'problems', messages: trialProblems(err), saveFirst });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <Form.Item label={t('builder.setting.resultType')}>
        <Select value={resultType} onChange={(rt: string) => set({ resultType: rt })} options={RESULT_TYPES.map((r) => ({ value: r, label: t(`builder.resultType.${r}` as 'builder.resultType.text') }))} aria-label={t('builder.setting.resultType')} />
      </Form.Item>
      <Form.Item
        label={t('builder.setting.expression')}
        validateStatus={check.error || serverErrors.length > 0 ? 'error' : check.unknown.length > 0 ? 'warning' : undefined}
        help={
          serverErrors.length > 0
            ? serverErrors.join('; ')
            : check.error
              ? t(`builder.formula.${check.error.code}`)
              : check.unknown.length > 0
                ? t('builder.formula.unknown', { names: check.unknown.join(', ') })
                : undefined
        }
      >
        <Input.TextArea
          ref={(r) => {
            ref.current = r?.resizableTextArea?.textArea ?? null;
          }}
          value={expr}
          onChange={(e) => set({ expression: e.target.value }, `expr:${f.key}`)}
          autoSize={{ minRows: 2, maxRows: 8 }}
          style={{ fontFamily: 'monospace' }}
          aria-label={t('builder.setting.expression')}
          data-testid="formula-expression"
        />
      </Form.Item>
      <Flex vertical gap={6} style={{ marginBottom: 16 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('builder.formula.fields')}
        </Typography.Text>
        <Flex wrap gap={4}>
          {others.map((x) => (
            <Tag key={x.key} style={{ cursor: 'pointer' }} onClick={() => insert(x.key)} title={text(x.label)}>
              {x.key}
            </Tag>
          ))}
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('builder.formula.functions')}
        </Typography.Text>
        <Flex wrap gap={4}>
          {FORMULA_FUNCTIONS.map((fn) => (
            <Tag key={fn} color="blue" style={{ cursor: 'pointer' }} onClick={() => insert(`${fn}()`)}>
              {fn}
            </Tag>
          ))}
        </Flex>
        <Button size="small" icon={<CheckCircleOutlined />} onClick={() => void call('check')} loading={busy === 'check'} disabled={!!check.error} data-testid="formula-check">
          {t('builder.formula.serverCheck')}
        </Button>
      </Flex>
      <Card size="small" title={t('builder.formula.trial')} style={{ marginBottom: 16 }} data-testid="formula-trial">
        <Flex vertical gap={8}>
          <Segmented<SampleMode>
            value={mode}
            onChange={setMode}
            options={[
              { value: 'values', label: t('builder.formula.sampleValues') },
              { value: 'record', label: t('builder.formula.sampleRecord') },
            ]}
            data-testid="formula-sample-mode"
          />
          {mode === 'values' ? (
            <SampleValues spec={spec} used={check.used} values={values} setValues={setValues} />
          ) : (
            <RecordPicker app={app} form={form} spec={spec} value={recordId} onChange={setRecordId} />
          )}
          <Button type="primary" icon={<PlayCircleOutlined />} onClick={() => void call('evaluate')} loading={busy === 'evaluate'} disabled={!!check.error || (mode === 'record' && !recordId)} data-testid="formula-evaluate">
            {t('builder.formula.evaluate')}
          </Button>
          <OutcomeView outcome={outcome} />
        </Flex>
      </Card>
    </>
  );
}

/** One input per field the expression reads. */
function SampleValues({ spec, used, values, setValues }: { spec: FormSpec; used: string[]; values: Record<string, string>; setValues: (v: Record<string, string>) => void }) {
  const { t, text } = useI18n();
  if (used.length === 0) {
    return <Typography.Text type="secondary">{t('builder.formula.noFields')}</Typography.Text>;
  }
  return (
    <Flex vertical gap={4}>
      {used.map((k) => {
        const fd = spec.fields.find((x) => x.key === k);
        return (
          <Input
            key={k}
            size="small"
            addonBefore={fd ? `${text(fd.label)} (${k})` : k}
            value={values[k] ?? ''}
            onChange={(e) => setValues({ ...values, [k]: e.target.value })}
            aria-label={k}
            data-testid={`formula-sample-${k}`}
          />
        );
      })}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('builder.formula.valueHint')}
      </Typography.Text>
    </Flex>
  );
}

/** A search over the form's records (as the designer may read them). */
function RecordPicker({ app, form, spec, value, onChange }: { app: string; form: string; spec: FormSpec; value: string | undefined; onChange: (id: string | undefined) => void }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      listRecords(app, form, { q, limit: 20 }, ctl.signal)
        .then((page) =>
          setOptions(
            page.items.map((r) => {
              const title = spec.titleField ? r[spec.titleField] : undefined;
              return { value: r._id, label: typeof title === 'string' || typeof title === 'number' ? `${title} · ${r._id}` : r._id };
            }),
          ),
        )
        // Not published yet, or nothing readable: nothing to pick.
        .catch(() => !ctl.signal.aborted && setOptions([]))
        .finally(() => !ctl.signal.aborted && setLoading(false));
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [app, form, q, spec.titleField]);
  return (
    <Select
      showSearch
      allowClear
      value={value}
      onChange={(v: string | undefined) => onChange(v)}
      filterOption={false}
      onSearch={setQ}
      loading={loading}
      options={options}
      placeholder={t('builder.formula.pickRecord')}
      aria-label={t('builder.formula.pickRecord')}
      data-testid="formula-sample-record"
    />
  );
}

/** The value, the values it used and this sample's failures; or why it could not run. */
function OutcomeView({ outcome }: { outcome: Outcome | undefined }) {
  const { t } = useI18n();
  if (!outcome) return null;
  if (outcome.kind === 'checked') {
    return <Alert type="success" showIcon message={t('builder.formula.checked')} data-testid="formula-result" />;
  }
  if (outcome.kind === 'problems') {
    return (
      <Alert
        type="error"
        showIcon
        message={outcome.messages.join('; ')}
        description={outcome.saveFirst ? t('builder.formula.saveFirst') : undefined}
        data-testid="formula-problems"
      />
    );
  }
  const { result } = outcome;
  const shown = formatTrialValue(result.value, result.type);
  const inputs = Object.entries(result.inputs)
    .map(([k, v]) => `${k} = ${v === null || v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  const failed = (result.errors ?? []).length > 0;
  return (
    <Alert
      type={failed ? 'warning' : 'success'}
      showIcon
      message={
        <span>
          {t('builder.formula.result', { type: RESULT_TYPES.includes(result.type) ? t(`builder.resultType.${result.type}` as 'builder.resultType.text') : result.type })}: <Typography.Text code data-testid="formula-value">{shown ?? t('builder.formula.nullResult')}</Typography.Text>
        </span>
      }
      description={
        <Flex vertical gap={2}>
          {inputs && <Typography.Text type="secondary">{t('builder.formula.inputs', { values: inputs })}</Typography.Text>}
          {(result.errors ?? []).map((e, i) => (
            <Typography.Text key={i} type="danger">
              {e.message}
            </Typography.Text>
          ))}
        </Flex>
      }
      data-testid="formula-result"
    />
  );
}
