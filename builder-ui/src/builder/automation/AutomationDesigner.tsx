import { Alert, Card, Flex, Form, InputNumber, Select, Switch, Tabs } from 'antd';
import { useMemo, useState } from 'react';
import { getDefinition, listDefinitions } from '../../api/meta';
import type { FormSpec } from '../../api/formTypes';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import { filterFields } from '../../records/filter/fields';
import { LocalizedInput } from '../LocalizedInput';
import { FilterEditor } from '../FilterEditor';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import type { Designer } from '../lifecycle/useDesigner';
import { automationExtensions, type AutomationRun, type ExtSpec } from './api';
import { RunLog } from './RunLog';
import { SchemaForm, type SchemaEnv } from './SchemaForm';
import { StepList } from './StepList';
import { TestRunPanel } from './TestRunPanel';
import { duplicateIds, unknownTypes, type AutomationSpec } from './steps';

/** A condition on records of the trigger's form (the automation's, or a branch's record test). */
function ConditionBuilder({ app, form, spec, value, onChange }: { app: string; form: string; spec: FormSpec | undefined; value: Record<string, unknown> | undefined; onChange: (v: Record<string, unknown> | undefined) => void }) {
  const fields = useMemo(() => (spec ? filterFields(spec) : []), [spec]);
  return spec ? <FilterEditor key={fields.length} app={app} form={form} fields={fields} value={value} onChange={onChange} /> : null;
}

/**
 * The automation designer: a trigger and its settings, a condition on the
 * trigger's record, the ordered actions (with branches, waits and A/B
 * splits holding actions of their own), each configured by the form its
 * type describes; retries; and the run log with each action's result and
 * the dead letters to replay; and a test run on a chosen record that
 * shows each step's result without keeping anything.
 */
export function AutomationDesigner({ d }: { d: Designer<AutomationSpec> }) {
  const { t, text, locale } = useI18n();
  const spec = d.spec;
  const [run, setRun] = useState<AutomationRun>();
  const [tab, setTab] = useState('design');
  // A run (or a test run) shown on the steps: they are on the design tab.
  const show = (r: AutomationRun | undefined) => {
    setRun(r);
    if (r) setTab('design');
  };
  const { data: ext, error: extError } = useAsync(automationExtensions, []);
  const { data: formDefs } = useAsync(() => listDefinitions(d.app, 'form'), [d.app]);
  const formKey = typeof spec.trigger.config?.form === 'string' ? spec.trigger.config.form : '';
  const { data: formDef } = useAsync(() => (formKey ? getDefinition<FormSpec>(d.app, 'form', formKey) : Promise.resolve(undefined)), [d.app, formKey]);
  const triggers = ext?.triggers ?? [];
  const actions = ext?.actions ?? [];
  const trigger = triggers.find((x) => x.key === spec.trigger.type);
  const title = (a: ExtSpec) => a.title?.[locale] ?? a.title?.['zh-CN'] ?? a.key;
  const forms = (formDefs ?? []).map((f) => ({ value: f.key, label: `${text(f.spec.title) || f.key} (${f.key})` }));
  const env: Omit<SchemaEnv, 'steps'> = {
    forms,
    filter: (value, onChange) => <ConditionBuilder key={formKey} app={d.app} form={formKey} spec={formDef?.spec} value={value} onChange={onChange} />,
  };
  const blockers = ext
    ? [
        ...(trigger ? [] : [t('builder.auto.unknownTrigger', { type: spec.trigger.type })]),
        ...unknownTypes(spec.actions, actions).map((type) => t('builder.auto.unknownAction', { type })),
        ...duplicateIds(spec.actions).map((id) => t('builder.auto.duplicateId', { id })),
      ]
    : [];

  const design = (
    <Flex vertical gap={12}>
      <Card size="small" title={t('builder.auto.when')}>
        <Form layout="vertical" size="small" component="div">
          <Form.Item label={t('builder.auto.trigger')}>
            <Select
              value={spec.trigger.type}
              onChange={(type: string) => {
                const ex = triggers.find((x) => x.key === type)?.examples?.[0];
                d.set({ ...spec, trigger: { type, config: typeof ex === 'object' && ex ? (structuredClone(ex) as Record<string, unknown>) : {} } });
              }}
              options={triggers.map((x) => ({ value: x.key, label: `${title(x)} (${x.key})` }))}
              aria-label={t('builder.auto.trigger')}
              data-testid="trigger-type"
            />
          </Form.Item>
        </Form>
        <SchemaForm schema={trigger?.config} value={spec.trigger.config} onChange={(config) => d.set({ ...spec, trigger: { ...spec.trigger, config } }, 'trigger')} env={{ ...env, steps: () => null }} path="trigger.config" />
      </Card>
      {formKey && (
        <Card size="small" title={t('builder.auto.condition')}>
          <ConditionBuilder key={`cond:${formKey}`} app={d.app} form={formKey} spec={formDef?.spec} value={spec.condition} onChange={(condition) => d.set({ ...spec, condition }, 'condition')} />
        </Card>
      )}
      <Card size="small" title={t('builder.auto.then')}>
        <StepList steps={spec.actions} onChange={(actions) => d.set({ ...spec, actions })} actions={actions} all={spec.actions} env={env} results={run?.steps} problems={d.problems} path="actions" />
      </Card>
      <Card size="small" title={t('builder.auto.settings')}>
        <Form layout="inline" size="small" component="div">
          <Form.Item label={t('builder.auto.enabled')}>
            <Switch checked={spec.enabled === true} onChange={(enabled) => d.set({ ...spec, enabled })} data-testid="auto-enabled" />
          </Form.Item>
          <Form.Item label={t('builder.auto.maxAttempts')}>
            <InputNumber min={1} max={100} value={spec.retry?.maxAttempts ?? null} onChange={(v) => d.set({ ...spec, retry: { ...spec.retry, maxAttempts: v ?? undefined } })} />
          </Form.Item>
          <Form.Item label={t('builder.auto.backoff')}>
            <InputNumber min={1} max={86400} value={spec.retry?.backoffSeconds ?? null} onChange={(v) => d.set({ ...spec, retry: { ...spec.retry, backoffSeconds: v ?? undefined } })} addonAfter="s" />
          </Form.Item>
        </Form>
      </Card>
    </Flex>
  );

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} blockers={blockers} />
      {extError !== undefined && <Alert type="warning" showIcon message={t('builder.auto.noEngine')} />}
      <Card size="small" style={{ marginBottom: 12 }}>
        <div style={{ maxWidth: 420 }}>
          <LocalizedInput value={spec.title} onChange={(v) => d.set({ ...spec, title: v ?? '' }, 'auto:title')} onBlur={d.seal} label={t('builder.form.label')} />
        </div>
      </Card>
      {run && <Alert type="info" showIcon closable onClose={() => setRun(undefined)} message={t('builder.auto.showing', { id: run.id, status: run.status })} style={{ marginBottom: 12 }} />}
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'design', label: t('builder.form.design'), children: design },
          { key: 'test', label: t('builder.auto.test.tab'), children: <TestRunPanel d={d} form={formKey} formSpec={formDef?.spec} onShow={show} /> },
          { key: 'runs', label: t('builder.auto.log'), children: <RunLog app={d.app} automation={d.key} onShow={show} /> },
        ]}
      />
    </Flex>
  );
}
