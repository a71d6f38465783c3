import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { Button, Card, Empty, Flex, Form, Input, InputNumber, Select, Switch, Typography, type FormItemProps } from 'antd';
import { useMemo, useState } from 'react';
import { listDefinitions } from '../../api/meta';
import type { FormSpec } from '../../api/formTypes';
import type { FieldError } from '../../api/problem';
import { chartTypeKeys } from '../../extensions/charts/registry';
import { useAsync } from '../../hooks/useAsync';
import { useI18n } from '../../i18n/useI18n';
import type { MessageKey } from '../../i18n/messages';
import { LocalizedInput } from '../LocalizedInput';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import { useNarrow } from '../SidePanel';
import type { Designer } from '../lifecycle/useDesigner';
import { addDimension, addMeasure, datasetFields, dimensionKey, measureKey, moveDimension, moveMeasure, newDimension, newMeasure, removeDimension, removeMeasure, updateDimension, updateMeasure, type Measure, type ReportSpec } from './model';
import { PairsPanel } from './PairsPanel';
import { ReportPreview } from './ReportPreview';
import { clearPairs, isPairOp, missingPairOps, PAIR_OPS, pairsDimension, pairSources, setList, setPairs } from './shape';
import { problemsAt } from '../view/model';
import { FieldChip, Zone } from './Zones';

const BUCKETS = ['day', 'week', 'month', 'quarter', 'year', 'hourOfDay', 'dayOfWeek'];
const OPS: Measure['op'][] = ['count', 'sum', 'avg', 'min', 'max', 'countDistinct'];

/**
 * The report designer: the form and its joins, fields dragged onto the
 * dimensions and the measures, a chart type, and the chart redrawn as the
 * report changes.
 */
export function ReportDesigner({ d }: { d: Designer<ReportSpec> }) {
  const { t, text } = useI18n();
  const spec = d.spec;
  const [selected, setSelected] = useState<string>();
  const { data: formDefs } = useAsync(() => listDefinitions(d.app, 'form'), [d.app]);
  const forms = useMemo(() => new Map((formDefs ?? []).map((f) => [f.key, f.spec as unknown as FormSpec])), [formDefs]);
  const fields = useMemo(() => datasetFields(spec, forms), [spec, forms]);
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const dims = spec.dimensions ?? [];
  const label = (path: string | undefined) => (path ? text(byPath.get(path)?.field.label) || path : t('builder.report.records'));
  const sources = useMemo(() => pairSources(spec, forms), [spec, forms]);
  const isPairs = pairsDimension(spec) !== undefined;
  // The server's problems of the last save or publish and of the last preview, shown at their fields.
  const [previewProblems, setPreviewProblems] = useState<FieldError[]>([]);
  const problems = [...d.problems, ...previewProblems];
  const status = (path: string, exact = false): Partial<FormItemProps> => {
    const msgs = exact ? problems.filter((p) => p.path === path).map((p) => p.message) : problemsAt(problems, path);
    return msgs.length > 0 ? { validateStatus: 'error', help: <span data-testid={`problem-${path}`}>{msgs.join('; ')}</span> } : {};
  };
  const pairsLabel = (x: { pairs?: { subtable: string; field: string } }) => {
    const src = sources.find((s) => s.subtable.key === x.pairs?.subtable);
    const col = src?.columns.find((c) => c.key === x.pairs?.field);
    return `${t('builder.report.pairs')} · ${text(src?.subtable.label) || x.pairs?.subtable} · ${text(col?.label) || x.pairs?.field}`;
  };

  const add = (path: string | undefined, to: 'dims' | 'measures') => {
    const f = path ? byPath.get(path) : undefined;
    if (isPairs) {
      // A pairs report groups by the pair alone and measures pair measures only.
      const op = missingPairOps(spec)[0];
      if (to === 'measures' && op) d.set(addMeasure(spec, { op }));
      return;
    }
    if (to === 'dims') {
      if (f) d.set(addDimension(spec, newDimension(f)));
    } else d.set(addMeasure(spec, newMeasure(f)));
  };
  const onDragEnd = (e: DragEndEvent) => {
    const id = String(e.active.id);
    const over = e.over ? String(e.over.id) : undefined;
    if (!over) return;
    const zone = over.startsWith('zone:') ? over.slice(5) : over.startsWith('dim:') ? 'dims' : over.startsWith('mea:') ? 'measures' : undefined;
    if (id.startsWith('field:') || id === 'count') {
      if (zone === 'dims' || zone === 'measures') add(id === 'count' ? undefined : id.slice(6), zone);
    } else if (id.startsWith('dim:') && over.startsWith('dim:')) d.set(moveDimension(spec, Number(id.slice(4)), Number(over.slice(4))));
    else if (id.startsWith('mea:') && over.startsWith('mea:')) d.set(moveMeasure(spec, Number(id.slice(4)), Number(over.slice(4))));
  };

  const narrow = useNarrow();
  const selDim = selected?.startsWith('dim:') ? Number(selected.slice(4)) : undefined;
  const selMea = selected?.startsWith('mea:') ? Number(selected.slice(4)) : undefined;
  const relations = fields.filter((f) => f.field.type === 'relation');
  const joins = spec.dataset.joins ?? [];

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} />
      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <Flex gap={12} align={narrow ? 'stretch' : 'start'} vertical={narrow}>
          <Card size="small" title={t('builder.report.fields')} style={{ width: narrow ? '100%' : 220, flex: 'none', maxHeight: narrow ? 240 : 'calc(100vh - 180px)', overflow: 'auto' }}>
            <Flex vertical gap={4} data-testid="report-fields">
              <FieldChip f={{ path: 'count', field: { key: 'count', type: 'number', label: t('builder.report.records') } }} onAdd={(to) => to === 'measures' && add(undefined, 'measures')} />
              {fields.map((f) => (
                <FieldChip key={f.path} f={f} onAdd={(to) => add(f.path, to)} />
              ))}
            </Flex>
          </Card>
          <Flex vertical gap={12} style={{ flex: 1, minWidth: 0 }}>
            <Card size="small">
              <Form layout="inline" size="small" component="div" style={{ rowGap: 8 }}>
                <Form.Item label={t('builder.dataForm')}>
                  <Select value={spec.dataset.form} onChange={(form: string) => d.set({ ...spec, dataset: { form }, dimensions: [], measures: [{ op: 'count' }] })} options={(formDefs ?? []).map((f) => ({ value: f.key, label: text(f.spec.title) || f.key }))} style={{ width: 160 }} aria-label={t('builder.dataForm')} />
                </Form.Item>
                <Form.Item label={t('builder.report.chart')}>
                  <Select value={spec.chart?.type ?? 'chart.table'} onChange={(type: string) => d.set({ ...spec, chart: { ...spec.chart, type } })} options={chartTypeKeys().map((k) => ({ value: k, label: t(`builder.chart.${k.slice(6)}` as MessageKey) }))} style={{ width: 140 }} virtual={false} aria-label={t('builder.report.chart')} data-testid="chart-type" />
                </Form.Item>
                <Form.Item label={t('builder.report.limit')}>
                  <InputNumber min={1} max={10000} value={spec.limit ?? null} onChange={(limit) => d.set({ ...spec, limit: limit ?? undefined })} style={{ width: 90 }} />
                </Form.Item>
                <Form.Item label={t('builder.report.sort')}>
                  <Select allowClear value={spec.sort} onChange={(sort?: string) => d.set({ ...spec, sort })} options={spec.measures.flatMap((m) => [{ value: `-${measureKey(m)}`, label: `${measureKey(m)} ↓` }, { value: measureKey(m), label: `${measureKey(m)} ↑` }])} style={{ width: 150 }} />
                </Form.Item>
                {!isPairs && !spec.list && (
                  <Form.Item label={t('builder.report.totals')} {...status('totals')}>
                    <Switch checked={spec.totals === true} onChange={(totals) => d.set({ ...spec, totals: totals || undefined })} />
                  </Form.Item>
                )}
                {!isPairs && (
                  <Form.Item label={t('builder.report.list')} {...status('list')}>
                    <Switch checked={spec.list === true} onChange={(on) => d.set(setList(spec, on))} data-testid="report-list" />
                  </Form.Item>
                )}
                {(isPairs || sources.length > 0) && (
                  <Form.Item label={t('builder.report.pairs')} {...status('dimensions', true)}>
                    <Switch
                      checked={isPairs}
                      onChange={(on) => {
                        d.set(on ? setPairs(spec, sources[0]!) : clearPairs(spec));
                        setSelected(on ? 'dim:0' : undefined);
                      }}
                      disabled={!isPairs && sources.length === 0}
                      data-testid="report-pairs"
                    />
                  </Form.Item>
                )}
              </Form>
              <Flex gap={8} wrap align="center" style={{ marginTop: 8 }}>
                <Typography.Text type="secondary">{t('builder.report.joins')}</Typography.Text>
                {joins.map((j, i) => (
                  <Flex key={i} gap={4} align="center">
                    <Select value={j.relation} onChange={(relation: string) => d.set({ ...spec, dataset: { ...spec.dataset, joins: joins.map((x, k) => (k === i ? { ...x, relation } : x)) } })} options={relations.map((r) => ({ value: r.path, label: label(r.path) }))} style={{ width: 130 }} size="small" />
                    <Input size="small" value={j.as} onChange={(e) => d.set({ ...spec, dataset: { ...spec.dataset, joins: joins.map((x, k) => (k === i ? { ...x, as: e.target.value } : x)) } }, `join:${i}`)} style={{ width: 90 }} aria-label={t('builder.report.joinAs')} />
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => d.set({ ...spec, dataset: { ...spec.dataset, joins: joins.filter((_x, k) => k !== i) } })} aria-label={t('builder.remove')} />
                  </Flex>
                ))}
                <Button size="small" icon={<PlusOutlined />} disabled={relations.length === 0 || joins.length >= 8} onClick={() => d.set({ ...spec, dataset: { ...spec.dataset, joins: [...joins, { relation: relations[0]!.path, as: relations[0]!.path.replace(/\./g, '_') }] } })}>
                  {t('builder.report.addJoin')}
                </Button>
              </Flex>
            </Card>
            <Zone zone="dims" title={t('builder.report.dimensions')} items={dims.map((x, i) => ({ id: `dim:${i}`, label: x.pairs ? pairsLabel(x) : `${label(x.field)}${x.bucket ? ` · ${t(`builder.bucket.${x.bucket}` as MessageKey)}` : ''}` }))} selected={selected} onSelect={setSelected} onRemove={(i) => d.set(removeDimension(spec, i))} />
            <Zone zone="measures" title={t('builder.report.measures')} items={spec.measures.map((m, i) => ({ id: `mea:${i}`, label: m.label ? text(m.label) : isPairOp(m.op) ? t(`builder.agg.${m.op}` as MessageKey) : `${label(m.field)} · ${t(`builder.agg.${m.op}` as MessageKey)}` }))} selected={selected} onSelect={setSelected} onRemove={(i) => d.set(removeMeasure(spec, i))} />
            {isPairs && missingPairOps(spec).length > 0 && (
              <Select
                size="small"
                value={null}
                placeholder={t('builder.report.pairs.addMeasure')}
                onChange={(op: Measure['op']) => d.set(addMeasure(spec, { op }))}
                options={missingPairOps(spec).map((o) => ({ value: o, label: t(`builder.agg.${o}` as MessageKey) }))}
                style={{ width: 200 }}
                data-testid="pairs-add-measure"
              />
            )}
            <Card size="small">
              <ReportPreview app={d.app} report={d.key} spec={spec} publishedVersion={d.published?.version} onProblems={setPreviewProblems} />
            </Card>
          </Flex>
          <Card size="small" style={{ width: narrow ? '100%' : 300, flex: 'none' }} data-testid="report-properties">
            {selDim !== undefined && dims[selDim]?.pairs ? (
              <PairsPanel d={d} sources={sources} status={status} />
            ) : selDim !== undefined && dims[selDim] ? (
              <Form layout="vertical" size="small" component="div">
                <Typography.Title level={5}>{label(dims[selDim].field)}</Typography.Title>
                <Form.Item label={t('builder.form.label')}>
                  <LocalizedInput value={dims[selDim].label} onChange={(l) => d.set(updateDimension(spec, selDim, { label: l }), `dl:${selDim}`)} label={t('builder.form.label')} />
                </Form.Item>
                {!spec.list && (
                <Form.Item label={t('builder.report.bucket')} {...status(`dimensions[${selDim}].bucket`)}>
                  <Select allowClear value={dims[selDim].bucket} onChange={(bucket?: string) => d.set(updateDimension(spec, selDim, { bucket }))} options={BUCKETS.map((b) => ({ value: b, label: t(`builder.bucket.${b}` as MessageKey) }))} />
                </Form.Item>
                )}
                <Form.Item label={t('builder.report.as')} extra={dimensionKey(dims[selDim])}>
                  <Input value={dims[selDim].as ?? ''} onChange={(e) => d.set(updateDimension(spec, selDim, { as: e.target.value || undefined }), `das:${selDim}`)} />
                </Form.Item>
              </Form>
            ) : selMea !== undefined && spec.measures[selMea] ? (
              <Form layout="vertical" size="small" component="div">
                <Typography.Title level={5}>{isPairOp(spec.measures[selMea].op) ? t(`builder.agg.${spec.measures[selMea].op}` as MessageKey) : label(spec.measures[selMea].field)}</Typography.Title>
                <Form.Item label={t('builder.form.label')}>
                  <LocalizedInput value={spec.measures[selMea].label} onChange={(l) => d.set(updateMeasure(spec, selMea, { label: l }), `ml:${selMea}`)} label={t('builder.form.label')} />
                </Form.Item>
                <Form.Item label={t('builder.setting.op')} {...status(`measures[${selMea}].op`)}>
                  <Select value={spec.measures[selMea].op} onChange={(op: Measure['op']) => d.set(updateMeasure(spec, selMea, op === 'count' ? { op, field: undefined, minRows: undefined } : op === 'countDistinct' ? { op } : { op, minRows: undefined }))} options={(isPairs ? PAIR_OPS : OPS).map((o) => ({ value: o, label: t(`builder.agg.${o}` as MessageKey) }))} data-testid="measure-op" />
                </Form.Item>
                <Form.Item label={t('builder.report.format')}>
                  <Select allowClear value={spec.measures[selMea].format} onChange={(format?: Measure['format']) => d.set(updateMeasure(spec, selMea, { format }))} options={(['number', 'money', 'percent'] as const).map((f) => ({ value: f, label: t(`builder.report.format.${f}` as MessageKey) }))} />
                </Form.Item>
                {spec.measures[selMea].op === 'countDistinct' && (
                  <Form.Item label={t('builder.report.minRows')}>
                    <InputNumber min={1} precision={0} value={spec.measures[selMea].minRows ?? null} onChange={(n) => d.set(updateMeasure(spec, selMea, { minRows: n && n > 1 ? n : undefined }))} data-testid="measure-min-rows" />
                  </Form.Item>
                )}
                {!isPairs && (
                <Form.Item label={t('builder.report.cumulative')}>
                  <Switch checked={spec.measures[selMea].cumulative === true} onChange={(c) => d.set(updateMeasure(spec, selMea, { cumulative: c || undefined }))} />
                </Form.Item>
                )}
                <Form.Item label={t('builder.report.as')} extra={measureKey(spec.measures[selMea])}>
                  <Input value={spec.measures[selMea].as ?? ''} onChange={(e) => d.set(updateMeasure(spec, selMea, { as: e.target.value || undefined }), `mas:${selMea}`)} />
                </Form.Item>
              </Form>
            ) : (
              <Form layout="vertical" size="small" component="div">
                <Form.Item label={t('builder.form.label')}>
                  <LocalizedInput value={spec.title} onChange={(title) => d.set({ ...spec, title: title ?? '' }, 'report:title')} onBlur={d.seal} label={t('builder.form.label')} />
                </Form.Item>
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('builder.report.hint')} />
              </Form>
            )}
          </Card>
        </Flex>
      </DndContext>
    </Flex>
  );
}
