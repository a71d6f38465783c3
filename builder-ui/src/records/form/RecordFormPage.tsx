import '../records.css';
import { App, Alert, Button, Card, Col, Flex, Form, Result, Row, Space, Spin, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useOutletContext, useParams } from 'react-router-dom';
import type { FieldDef, FormSpec, RecordDoc } from '../../api/formTypes';
import { ApiError } from '../../api/problem';
import { createRecord, getRecord, patchRecord } from '../../api/records';
import { useAuth } from '../../auth/useAuth';
import { recordPath } from '../../extensions/fieldTypes/relation';
import { fieldTypeUI } from '../../extensions/fieldTypes/registry';
import { useAsync } from '../../hooks/useAsync';
import { formatDateTime } from '../../format/date';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import type { AppContext } from '../../layout/AppLayout';
import { useIsMobile } from '../../layout/useIsMobile';
import { clearDraft, draftKey, loadDraft, saveDraft } from '../drafts';
import { createBody, defaultValues, fieldStates, missingRequired, patchBody, sortFieldErrors, toFormValues, type FieldErrors, type FormValues } from '../formModel';
import { publishedForm, recordLoader } from '../resolve';
import { FieldItem } from './FieldItem';

interface Loaded {
  spec: FormSpec;
  record?: RecordDoc;
}

async function load(app: string, form: string, id: string | undefined): Promise<Loaded> {
  const [def, record] = await Promise.all([publishedForm(app, form), id ? getRecord(app, form, id) : Promise.resolve(undefined)]);
  return record ? { spec: def.spec, record } : { spec: def.spec };
}

/** A new record (/form/:form/new) or an edit (/form/:form/records/:id/edit). */
export function RecordFormPage() {
  const { form = '', id } = useParams();
  const { app } = useOutletContext<AppContext>();
  const { t } = useI18n();
  const { data, error, loading, reload } = useAsync(() => load(app.key, form, id), [app.key, form, id]);
  if (loading && !data) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (error || !data) {
    const m = errorMessage(error);
    return <Result status={m.key === 'error.notFound' ? '404' : 'warning'} title={t(m.key, m.params)} extra={<Button onClick={reload}>{t('apps.retry')}</Button>} />;
  }
  return <RecordForm key={`${form}/${id ?? ''}/${data.record?._version ?? ''}`} app={app.key} form={form} spec={data.spec} record={data.record} onStale={reload} />;
}

/** The sections of a form: its layout's, then a last one for fields no section names. */
function sectionsOf(spec: FormSpec) {
  const byKey = new Map(spec.fields.map((f) => [f.key, f]));
  const used = new Set<string>();
  const out: { title?: FormSpec['title']; columns: number; fields: FieldDef[] }[] = [];
  for (const s of spec.layout?.sections ?? []) {
    const fields = s.fields.map((k) => byKey.get(k)).filter((f): f is FieldDef => !!f);
    fields.forEach((f) => used.add(f.key));
    const sec: (typeof out)[number] = { columns: s.columns ?? 1, fields };
    if (s.title) sec.title = s.title;
    out.push(sec);
  }
  const rest = spec.fields.filter((f) => !used.has(f.key));
  if (rest.length > 0) out.push({ columns: out.length > 0 ? (out[0]?.columns ?? 1) : 2, fields: rest });
  return out;
}

const WIDE = new Set(['subtable', 'richtext', 'textarea', 'attachment', 'image', 'address']);

function RecordForm({ app, form, spec, record, onStale }: { app: string; form: string; spec: FormSpec; record: RecordDoc | undefined; onStale: () => void }) {
  const { t, text, locale } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const fields = spec.fields;
  const initial = useMemo(() => (record ? toFormValues(fields, record) : defaultValues(fields)), [fields, record]);
  const key = draftKey(user?.id ?? 'anon', app, form, record?._id);
  const [draft] = useState(() => loadDraft(key));
  const [values, setValues] = useState<FormValues>(() => (draft ? { ...initial, ...draft.values } : initial));
  const [errors, setErrors] = useState<FieldErrors>({ own: {}, nested: {}, other: [] });
  const [problem, setProblem] = useState<{ text: string; stale?: boolean }>();
  const [saving, setSaving] = useState(false);
  const [restored, setRestored] = useState(!!draft);
  const idempotency = useRef(crypto.randomUUID());
  const system = record ? { _id: record._id, _state: record._state, _createdAt: record._createdAt, _createdBy: record._createdBy } : {};
  const states = useMemo(() => fieldStates(fields, values, system), [fields, values, record]);

  // What is typed survives a reload: it is kept per user, form and record until saved.
  useEffect(() => {
    const id = setTimeout(() => {
      if (JSON.stringify(values) === JSON.stringify(initial)) clearDraft(key);
      else saveDraft(key, record ? { values, savedAt: new Date().toISOString(), version: record._version } : { values, savedAt: new Date().toISOString() });
    }, 300);
    return () => clearTimeout(id);
  }, [values, initial, key, record]);

  const set = (k: string, v: unknown) => {
    setValues((prev) => ({ ...prev, [k]: v }));
    setErrors((e) => {
      if (!e.own[k] && !e.nested[k]) return e;
      const own = { ...e.own };
      const nested = { ...e.nested };
      delete own[k];
      delete nested[k];
      return { ...e, own, nested };
    });
  };

  const focusFirst = (keys: string[]) => {
    const first = fields.find((f) => keys.includes(f.key));
    if (first) document.querySelector(`[data-testid="field-${first.key}"]`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  };

  const submit = async () => {
    setProblem(undefined);
    const missing = missingRequired(fields, values, states);
    if (missing.length > 0) {
      const own: Record<string, string[]> = {};
      for (const k of missing) own[k] = [t('form.required')];
      setErrors({ own, nested: {}, other: [] });
      focusFirst(missing);
      return;
    }
    setSaving(true);
    try {
      let saved: RecordDoc;
      if (record) {
        const patch = patchBody(fields, initial, values);
        saved = Object.keys(patch).length === 0 ? record : await patchRecord(app, form, record._id, patch, record._version);
      } else {
        saved = await createRecord(app, form, createBody(fields, values, states), idempotency.current);
      }
      clearDraft(key);
      recordLoader(app, form).prime(saved._id, saved);
      message.success(t(record ? 'form.saved' : 'form.created'));
      navigate(recordPath(app, form, saved._id), { replace: !record });
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.length > 0) {
        const sorted = sortFieldErrors(fields, e.fieldErrors);
        setErrors(sorted);
        setProblem({ text: e.message });
        focusFirst([...Object.keys(sorted.own), ...Object.keys(sorted.nested)]);
      } else if (e instanceof ApiError && e.code === 'record.stale') {
        setProblem({ text: t('form.stale'), stale: true });
      } else {
        const m = errorMessage(e);
        // Network trouble and 5xx: the values stay (and in the draft); saving again retries.
        setProblem({ text: m.key === 'error.unknown' && e instanceof Error ? `${t('form.retry')} ${e.message}` : t(m.key, m.params) });
      }
      // A refused create changed nothing: the corrected one is a new request. After a
      // network failure or 5xx the key stays, so a retry cannot create the record twice.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) idempotency.current = crypto.randomUUID();
    } finally {
      setSaving(false);
    }
  };

  const title = text(spec.title) || form;
  return (
    <Flex vertical gap={12} style={{ maxWidth: 1100 }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {record ? t('form.editTitle', { form: title }) : t('form.newTitle', { form: title })}
      </Typography.Title>
      {restored && draft && (
        <Alert
          type="info"
          showIcon
          message={t('form.draftRestored', { at: formatDateTime(draft.savedAt, locale) })}
          action={
            <Button
              size="small"
              onClick={() => {
                clearDraft(key);
                setValues(initial);
                setRestored(false);
              }}
              data-testid="discard-draft"
            >
              {t('form.discardDraft')}
            </Button>
          }
          closable
          onClose={() => setRestored(false)}
          data-testid="draft-restored"
        />
      )}
      {problem && (
        <Alert
          type="error"
          showIcon
          message={problem.text}
          description={errors.other.length > 0 ? errors.other.join('; ') : undefined}
          action={problem.stale ? <Button size="small" onClick={onStale}>{t('form.reload')}</Button> : undefined}
          data-testid="form-problem"
        />
      )}
      <Form layout="vertical" component="div" disabled={saving}>
        {sectionsOf(spec).map((sec, i) => (
          <Card key={i} size="small" title={sec.title ? text(sec.title) : undefined} style={{ marginBottom: 12 }}>
            <Row gutter={16}>
              {sec.fields
                .filter((f) => states.get(f.key)?.visible && (record || !fieldTypeUI(f.type).computed))
                .map((f) => (
                  <Col key={f.key} span={mobile || WIDE.has(f.type) ? 24 : Math.floor(24 / Math.min(Math.max(sec.columns, 1), 4))}>
                    <FieldItem
                      field={f}
                      value={values[f.key]}
                      onChange={(v) => set(f.key, v)}
                      app={app}
                      form={form}
                      required={!!states.get(f.key)?.required}
                      errors={errors.own[f.key]}
                      nested={errors.nested[f.key]}
                    />
                  </Col>
                ))}
            </Row>
          </Card>
        ))}
      </Form>
      <Space style={{ position: 'sticky', bottom: 0, padding: '8px 0', background: 'inherit' }}>
        <Button type="primary" loading={saving} onClick={() => void submit()} data-testid="form-submit">
          {t('form.submit')}
        </Button>
        <Button onClick={() => navigate(-1)}>{t('form.cancel')}</Button>
      </Space>
    </Flex>
  );
}
