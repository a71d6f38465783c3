import { DeleteOutlined } from '@ant-design/icons';
import { Button, Form, Input, Select, Typography } from 'antd';
import { useMemo } from 'react';
import type { FilterJson, FormSpec } from '../../api/formTypes';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { filterFields } from '../../records/filter/fields';
import { LocalizedInput } from '../LocalizedInput';
import { FilterEditor } from '../FilterEditor';
import { FIELD_KEY } from '../form/model';
import { fromList, type FlowSpec, type Transition } from './graph';

interface Props {
  app: string;
  spec: FlowSpec;
  index: number;
  form: FormSpec | undefined;
  roles: string[];
  problems: string[];
  update: (patch: Partial<Transition>, group?: string) => void;
  remove: () => void;
}

/**
 * A transition: its trigger and label, the states it leaves and enters,
 * who may fire it, the comment it asks for, and its guard — a condition on
 * the record built with the runtime's filter builder, and/or a formula.
 */
export function TransitionPanel({ app, spec, index, form, roles, problems, update, remove }: Props) {
  const { t, text } = useI18n();
  const tr = spec.transitions[index]!;
  const fields = useMemo(() => (form ? filterFields(form) : []), [form]);
  const states = spec.states.map((s) => ({ value: s.key, label: text(s.label) || s.key }));
  const setGuard = (patch: { filter?: FilterJson | undefined; formula?: string | undefined }) => {
    const g = { ...tr.guard, ...patch };
    if (!g.filter) delete g.filter;
    if (!g.formula) delete g.formula;
    update({ guard: Object.keys(g).length > 0 ? g : undefined }, `guard:${index}`);
  };
  return (
    <Form layout="vertical" size="small" component="div" data-testid="transition-panel">
      {problems.length > 0 && <Typography.Paragraph type="danger">{problems.join('; ')}</Typography.Paragraph>}
      <Form.Item label={t('builder.flow.trigger')} validateStatus={FIELD_KEY.test(tr.trigger) ? undefined : 'error'} extra={t('builder.flow.triggerHelp')}>
        <Input value={tr.trigger} onChange={(e) => update({ trigger: e.target.value }, `trigger:${index}`)} aria-label={t('builder.flow.trigger')} data-testid="transition-trigger" />
      </Form.Item>
      <Form.Item label={t('builder.flow.buttonLabel')}>
        <LocalizedInput value={tr.label} onChange={(label) => update({ label }, `tlabel:${index}`)} label={t('builder.flow.buttonLabel')} testId="transition-label" />
      </Form.Item>
      <Form.Item label={t('builder.flow.from')}>
        <Select mode="multiple" value={fromList(tr)} onChange={(from: string[]) => from.length > 0 && update({ from: from.length === 1 ? from[0]! : from })} options={states} aria-label={t('builder.flow.from')} />
      </Form.Item>
      <Form.Item label={t('builder.flow.to')}>
        <Select value={tr.to} onChange={(to: string) => update({ to })} options={states} aria-label={t('builder.flow.to')} />
      </Form.Item>
      <Form.Item label={t('builder.flow.roles')} extra={t('builder.flow.rolesHelp')}>
        <Select mode="tags" value={tr.roles ?? []} onChange={(r: string[]) => update({ roles: r.length > 0 ? r : undefined })} options={roles.map((r) => ({ value: r, label: r }))} aria-label={t('builder.flow.roles')} />
      </Form.Item>
      <Form.Item label={t('builder.flow.comment')}>
        <Select value={tr.comment ?? 'none'} onChange={(comment: Transition['comment']) => update({ comment: comment === 'none' ? undefined : comment })} options={(['none', 'optional', 'required'] as const).map((c) => ({ value: c, label: t(`builder.flow.comment.${c}` as MessageKey) }))} aria-label={t('builder.flow.comment')} />
      </Form.Item>
      <Form.Item label={t('builder.flow.guard')} extra={t('builder.flow.guardHelp')}>
        <FilterEditor key={fields.length} app={app} form={spec.form} fields={fields} value={tr.guard?.filter} onChange={(filter) => setGuard({ filter })} />
      </Form.Item>
      <Form.Item label={t('builder.flow.guardFormula')}>
        <Input.TextArea value={tr.guard?.formula ?? ''} onChange={(e) => setGuard({ formula: e.target.value || undefined })} autoSize={{ minRows: 1, maxRows: 4 }} style={{ fontFamily: 'monospace' }} placeholder="record.points > 1000" />
      </Form.Item>
      <Button danger icon={<DeleteOutlined />} onClick={remove} data-testid="transition-remove">
        {t('builder.flow.removeTransition')}
      </Button>
    </Form>
  );
}
