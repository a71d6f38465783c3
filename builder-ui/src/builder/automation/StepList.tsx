import { DeleteOutlined, HolderOutlined, PlusOutlined } from '@ant-design/icons';
import { DndContext, KeyboardSensor, PointerSensor, closestCenter, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { Button, Card, Collapse, Flex, Input, Select, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useI18n } from '../../i18n/useI18n';
import type { ExtSpec } from './api';
import { SchemaForm, type SchemaEnv } from './SchemaForm';
import { moveStep, newStep, type Step } from './steps';

interface Props {
  steps: Step[];
  onChange: (steps: Step[]) => void;
  actions: ExtSpec[];
  /** Every step of the automation, for fresh ids. */
  all: Step[];
  env: Omit<SchemaEnv, 'steps'>;
  /** Step results of a run, by id, shown on the steps. */
  results?: Record<string, { status: string; error?: { message?: string } }>;
  /** The server's problems (paths relative to the spec: actions[1].config.record.tier). */
  problems: { path: string; message: string }[];
  path: string;
}

function SortableStep({ id, children }: { id: string; children: (handle: React.ReactNode) => React.ReactNode }) {
  const { setNodeRef, attributes, listeners, transform, transition } = useSortable({ id });
  const { t } = useI18n();
  return (
    <div ref={setNodeRef} style={{ transform: CSS.Translate.toString(transform), transition }}>
      {children(
        <span {...attributes} {...listeners} style={{ cursor: 'grab', touchAction: 'none' }} aria-label={t('builder.rule.dragRow')}>
          <HolderOutlined />
        </span>,
      )}
    </div>
  );
}

/**
 * An ordered list of actions: each configured by its type's settings form,
 * reordered by dragging (or Space and arrows); branches and A/B variants
 * hold lists of their own.
 */
export function StepList({ steps, onChange, actions, all, env, results, problems, path }: Props) {
  const { t, locale } = useI18n();
  const [adding, setAdding] = useState<string>();
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const ids = steps.map((s, i) => `${path}/${s.id ?? i}`);
  const byKey = new Map(actions.map((a) => [a.key, a]));
  const title = (a: ExtSpec | undefined, key: string) => a?.title?.[locale] ?? a?.title?.['zh-CN'] ?? key;
  const at = (i: number, s: Step) => onChange(steps.map((x, j) => (j === i ? s : x)));
  const onDragEnd = (e: DragEndEvent) => {
    if (e.over && e.active.id !== e.over.id) onChange(moveStep(steps, ids.indexOf(String(e.active.id)), ids.indexOf(String(e.over.id))));
  };
  const nestedEnv: SchemaEnv = {
    ...env,
    steps: (value, change, p) => <StepList steps={value} onChange={change} actions={actions} all={all} env={env} results={results} problems={problems} path={p} />,
  };
  return (
    <Flex vertical gap={8} data-testid={`steps-${path}`}>
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <SortableContext items={ids} strategy={verticalListSortingStrategy}>
          {steps.map((s, i) => {
            const spec = byKey.get(s.type);
            const r = s.id ? results?.[s.id] : undefined;
            const own = problems.filter((p) => p.path === `${path}[${i}]` || p.path.startsWith(`${path}[${i}].`));
            return (
              <SortableStep key={ids[i]} id={ids[i]!}>
                {(handle) => (
                  <Card size="small" data-testid={`step-${s.id ?? i}`} styles={{ body: { padding: 8 } }} style={own.length > 0 ? { borderColor: '#ff4d4f' } : undefined}>
                    <Flex gap={6} align="center">
                      {handle}
                      <Tag color={spec ? 'blue' : 'red'}>{title(spec, s.type)}</Tag>
                      <Input size="small" value={s.id ?? ''} onChange={(e) => at(i, { ...s, id: e.target.value || undefined })} style={{ width: 110 }} aria-label="id" />
                      {r && <Tag color={r.status === 'ok' ? 'green' : 'red'}>{r.status === 'ok' ? t('builder.auto.ok') : r.error?.message ?? t('builder.auto.failed')}</Tag>}
                      <span style={{ flex: 1 }} />
                      <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => onChange(steps.filter((_x, j) => j !== i))} aria-label={t('builder.remove')} />
                    </Flex>
                    {own.length > 0 && (
                      <Typography.Text type="danger" data-testid="step-problems">
                        {own.map((p) => `${p.path.slice(path.length)}: ${p.message}`).join('; ')}
                      </Typography.Text>
                    )}
                    <Collapse
                      ghost
                      size="small"
                      items={[{ key: 'cfg', label: <Typography.Text type="secondary">{t('builder.auto.settings')}</Typography.Text>, children: <SchemaForm schema={spec?.config} value={s.config} onChange={(config) => at(i, { ...s, config })} env={nestedEnv} path={`${path}[${i}].config`} /> }]}
                    />
                  </Card>
                )}
              </SortableStep>
            );
          })}
        </SortableContext>
      </DndContext>
      <Flex gap={6}>
        <Select
          size="small"
          showSearch
          optionFilterProp="label"
          placeholder={t('builder.auto.pickAction')}
          value={adding}
          onChange={setAdding}
          options={actions.map((a) => ({ value: a.key, label: `${title(a, a.key)} (${a.key})` }))}
          style={{ minWidth: 220 }}
          aria-label={t('builder.auto.pickAction')}
        />
        <Button
          size="small"
          icon={<PlusOutlined />}
          disabled={!adding}
          onClick={() => {
            const spec = adding ? byKey.get(adding) : undefined;
            if (!spec) return;
            onChange([...steps, newStep(all, spec)]);
            setAdding(undefined);
          }}
        >
          {t('builder.auto.addAction')}
        </Button>
      </Flex>
    </Flex>
  );
}
