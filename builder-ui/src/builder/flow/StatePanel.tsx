import { DeleteOutlined } from '@ant-design/icons';
import { Button, Divider, Form, Input, InputNumber, Select, Switch, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { FieldDef } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LocalizedInput } from '../LocalizedInput';
import { FIELD_KEY } from '../form/model';
import { AssigneeEditor } from './AssigneeEditor';
import type { Approval, FlowSpec, Sla, State, StateType } from './graph';

interface Props {
  spec: FlowSpec;
  s: State;
  fields: FieldDef[];
  roles: string[];
  problems: string[];
  update: (patch: Partial<State>, group?: string) => void;
  rename: (to: string) => void;
  setInitial: () => void;
  remove: () => void;
}

const TYPES: StateType[] = ['normal', 'approval', 'final'];

/** A state's key, label and kind; for approvals who approves, how, and the deadline. */
export function StatePanel({ spec, s, fields, roles, problems, update, rename, setInitial, remove }: Props) {
  const { t, text } = useI18n();
  const [key, setKey] = useState(s.key);
  useEffect(() => setKey(s.key), [s.key]);
  const badKey = !FIELD_KEY.test(key) || (key !== s.key && spec.states.some((x) => x.key === key));
  const a = s.approval;
  const setA = (patch: Partial<Approval>) => a && update({ approval: { ...a, ...patch } });
  const setSla = (patch: Partial<Sla> | undefined) => update({ sla: patch === undefined ? undefined : ({ hours: 24, ...s.sla, ...patch } as Sla) });
  const others = spec.states.filter((x) => x.key !== s.key && x.type !== 'final');
  return (
    <Form layout="vertical" size="small" component="div" data-testid="state-panel">
      {problems.length > 0 && <Typography.Paragraph type="danger">{problems.join('; ')}</Typography.Paragraph>}
      <Form.Item label={t('builder.form.label')}>
        <LocalizedInput value={s.label} onChange={(label) => update({ label }, `state-label:${s.key}`)} label={t('builder.form.label')} testId="state-label" />
      </Form.Item>
      <Form.Item label={t('builder.form.key')} validateStatus={badKey ? 'error' : undefined} help={badKey ? t('builder.form.keyRule') : undefined}>
        <Input value={key} onChange={(e) => setKey(e.target.value)} onBlur={() => !badKey && rename(key)} onPressEnter={() => !badKey && rename(key)} aria-label={t('builder.form.key')} />
      </Form.Item>
      <Form.Item label={t('builder.form.type')}>
        <Select value={s.type ?? 'normal'} onChange={(type: StateType) => update({ type })} options={TYPES.map((x) => ({ value: x, label: t(`builder.flow.type.${x}` as MessageKey) }))} disabled={spec.initial === s.key && false} aria-label={t('builder.form.type')} />
      </Form.Item>
      <Form.Item label={t('builder.flow.initial')}>
        <Switch checked={spec.initial === s.key} disabled={spec.initial === s.key} onChange={setInitial} />
      </Form.Item>
      {s.type === 'approval' && a && (
        <>
          <Divider orientation="left" plain>
            {t('builder.flow.approval')}
          </Divider>
          <Form.Item label={t('builder.flow.mode')} extra={t(`builder.flow.modeHelp.${a.mode ?? 'any'}` as MessageKey)}>
            <Select value={a.mode ?? 'any'} onChange={(mode: Approval['mode']) => setA({ mode })} options={(['any', 'all', 'sequential'] as const).map((m) => ({ value: m, label: t(`builder.flow.mode.${m}` as MessageKey) }))} aria-label={t('builder.flow.mode')} />
          </Form.Item>
          <Form.Item label={t('builder.flow.assignees')}>
            <AssigneeEditor value={a.assignees} onChange={(assignees) => setA({ assignees })} fields={fields} roles={roles} />
          </Form.Item>
          <Form.Item label={t('builder.flow.returnTo')}>
            <Select mode="multiple" value={a.returnTo ?? []} onChange={(returnTo: string[]) => setA({ returnTo: returnTo.length ? returnTo : undefined })} options={others.map((x) => ({ value: x.key, label: text(x.label) || x.key }))} aria-label={t('builder.flow.returnTo')} />
          </Form.Item>
          <Form.Item label={t('builder.flow.options')}>
            <Select
              mode="multiple"
              value={(['withdraw', 'delegate', 'addSigner'] as const).filter((k) => a[k] !== false)}
              onChange={(on: string[]) => setA({ withdraw: on.includes('withdraw') ? undefined : false, delegate: on.includes('delegate') ? undefined : false, addSigner: on.includes('addSigner') ? undefined : false })}
              options={(['withdraw', 'delegate', 'addSigner'] as const).map((k) => ({ value: k, label: t(`builder.flow.${k}` as MessageKey) }))}
            />
          </Form.Item>
          <Form.Item label={t('builder.flow.empty')}>
            <Select value={a.empty ?? 'fail'} onChange={(empty: Approval['empty']) => setA({ empty })} options={(['fail', 'approve'] as const).map((k) => ({ value: k, label: t(`builder.flow.empty.${k}` as MessageKey) }))} />
          </Form.Item>
          <Divider orientation="left" plain>
            {t('builder.flow.sla')}
          </Divider>
          <Form.Item label={t('builder.flow.slaOn')}>
            <Switch checked={!!s.sla} onChange={(on) => setSla(on ? {} : undefined)} />
          </Form.Item>
          {s.sla && (
            <>
              <Form.Item label={t('builder.flow.hours')}>
                <InputNumber min={0.5} max={10000} value={s.sla.hours} onChange={(hours) => hours && setSla({ hours })} />
              </Form.Item>
              <Form.Item label={t('builder.flow.remindBefore')}>
                <InputNumber min={0.5} max={10000} value={s.sla.remindBefore ?? null} onChange={(remindBefore) => setSla({ remindBefore: remindBefore ?? undefined })} />
              </Form.Item>
              <Form.Item label={t('builder.flow.onTimeout')}>
                <Select value={s.sla.onTimeout ?? 'none'} onChange={(onTimeout: Sla['onTimeout']) => setSla({ onTimeout })} options={(['none', 'escalate', 'approve', 'return'] as const).map((k) => ({ value: k, label: t(`builder.flow.timeout.${k}` as MessageKey) }))} />
              </Form.Item>
            </>
          )}
        </>
      )}
      <Button danger icon={<DeleteOutlined />} disabled={spec.states.length <= 1} onClick={remove} data-testid="state-remove">
        {t('builder.flow.removeState')}
      </Button>
    </Form>
  );
}
