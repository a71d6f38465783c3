import { Card, Empty, Flex, Form, InputNumber, Segmented, Select, Typography } from 'antd';
import { useMemo, type ReactNode } from 'react';
import type { FieldDef, ViewSpec, ViewType } from '../../api/formTypes';
import { listDefinitions } from '../../api/meta';
import { useAsync } from '../../hooks/useAsync';
import type { MessageKey } from '../../i18n/messages';
import { useI18n } from '../../i18n/useI18n';
import { filterFields } from '../../records/filter/fields';
import { publishedForm } from '../../records/resolve';
import { FilterEditor } from '../FilterEditor';
import { LifecycleBar } from '../lifecycle/LifecycleBar';
import type { Designer } from '../lifecycle/useDesigner';
import { LocalizedInput } from '../LocalizedInput';
import { useNarrow } from '../SidePanel';
import { ColumnList } from './ColumnList';
import { addColumn, columnChoices, columnFields, relationFields, dateFields, groupFields, MAX_PAGE_SIZE, moveColumn, parseSort, problemsAt, removeColumn, setForm, setSort, setType, updateColumn, VIEW_TYPES, viewProblems, withOptional } from './model';
import { RecordsPreview } from './RecordsPreview';
import { SortEditor } from './SortEditor';

/** How many records the preview lists. */
const PREVIEW_ROWS = 5;

/** A card of the designer, outlined in red with its problems under it when it has some. */
function ProblemCard({ title, testId, problems, problemId, children }: { title: string; testId?: string; problems: string[]; problemId: string; children: ReactNode }) {
  return (
    <Card size="small" title={title} data-testid={testId} style={problems.length > 0 ? { borderColor: '#ff4d4f' } : undefined}>
      {children}
      {problems.length > 0 && (
        <Typography.Text type="danger" data-testid={problemId}>
          {problems.join('; ')}
        </Typography.Text>
      )}
    </Card>
  );
}

/**
 * The view designer: the form a view lists, its layout (table, kanban,
 * calendar), the columns dragged into order with their widths, the filter
 * built like the runtime's, the sort, the grouping or date field, the page
 * size; and the first records as the draft would list them. Problems (the
 * designer's and the server's) show on the setting they concern.
 */
export function ViewDesigner({ d }: { d: Designer<ViewSpec> }) {
  const { t, text } = useI18n();
  const spec = d.spec;
  const narrow = useNarrow();
  const { data: formDefs } = useAsync(() => listDefinitions(d.app, 'form'), [d.app]);
  const { data: formDef, error: formError } = useAsync(() => (spec.form ? publishedForm(d.app, spec.form) : Promise.resolve(undefined)), [d.app, spec.form]);
  const form = formDef?.spec;
  // The forms the relations point at, for columns of related records (a form not yet published is left out).
  const { data: targets } = useAsync(async () => {
    const rels = form ? relationFields(form) : [];
    const specs = await Promise.all(rels.map((r) => publishedForm(d.app, String(r.form)).then((x) => x.spec, () => undefined)));
    return new Map(rels.flatMap((r, i) => (specs[i] ? [[String(r.form), specs[i]] as const] : [])));
  }, [d.app, form]);
  const choices = useMemo(() => (form ? columnChoices(form, targets ?? new Map(), { _createdAt: t('builder.view.createdAt'), _updatedAt: t('builder.view.updatedAt') }) : []), [form, targets, t]);
  const filterable = useMemo(() => (form ? filterFields(form) : []), [form]);
  const local = useMemo(() => viewProblems(spec, form).map((p) => ({ path: p.path, message: t(`builder.view.problem.${p.code}` as MessageKey, p.params) })), [spec, form, t]);
  const problems = [...local, ...d.problems];
  const status = (path: string) => {
    const msgs = problemsAt(problems, path);
    return msgs.length > 0 ? { validateStatus: 'error' as const, help: <span data-testid={`problem-${path}`}>{msgs.join('; ')}</span> } : {};
  };
  const type = spec.type ?? 'table';
  const fieldOptions = (list: FieldDef[]) => list.map((f) => ({ value: f.key, label: text(f.label) || f.key }));

  const settings = (
    <Card size="small" title={t('builder.view.settings')} style={{ width: narrow ? '100%' : 300, flex: 'none' }} data-testid="view-settings">
      <Form layout="vertical" size="small" component="div">
        <Form.Item label={t('builder.form.label')} {...status('title')}>
          <LocalizedInput value={spec.title} onChange={(title) => d.set({ ...spec, title: title ?? '' }, 'view:title')} onBlur={d.seal} label={t('builder.form.label')} />
        </Form.Item>
        <Form.Item label={t('builder.dataForm')} {...status('form')}>
          <Select showSearch optionFilterProp="label" value={spec.form || undefined} onChange={(f: string) => d.set(setForm(spec, f))} options={(formDefs ?? []).map((f) => ({ value: f.key, label: text(f.spec.title) || f.key }))} aria-label={t('builder.dataForm')} data-testid="view-form" />
        </Form.Item>
        <Form.Item label={t('builder.view.type')} {...status('type')}>
          <Segmented block value={type} onChange={(v) => d.set(setType(spec, v as ViewType, form))} options={VIEW_TYPES.map((v) => ({ value: v, label: t(`builder.view.type.${v}` as MessageKey) }))} data-testid="view-type" />
        </Form.Item>
        {type !== 'calendar' && (
          <Form.Item label={t('builder.view.kanbanField')} extra={type === 'table' ? t('builder.view.switchHelp') : undefined} {...status('groupBy')}>
            <Select allowClear={type !== 'kanban'} value={spec.groupBy} onChange={(g?: string) => d.set(withOptional(spec, 'groupBy', g))} options={fieldOptions(form ? groupFields(form) : [])} aria-label={t('builder.view.kanbanField')} data-testid="view-group-by" />
          </Form.Item>
        )}
        {type !== 'kanban' && (
          <Form.Item label={t('builder.view.dateField')} extra={type === 'table' ? t('builder.view.switchHelp') : undefined} {...status('dateField')}>
            <Select allowClear={type !== 'calendar'} value={spec.dateField} onChange={(f?: string) => d.set(withOptional(spec, 'dateField', f))} options={fieldOptions(form ? dateFields(form) : [])} aria-label={t('builder.view.dateField')} data-testid="view-date-field" />
          </Form.Item>
        )}
        <Form.Item label={t('builder.view.pageSize')} {...status('pageSize')}>
          <InputNumber min={1} max={MAX_PAGE_SIZE} precision={0} value={spec.pageSize ?? null} placeholder="20" onChange={(n) => d.set(withOptional(spec, 'pageSize', n ?? undefined), 'view:pageSize')} style={{ width: '100%' }} aria-label={t('builder.view.pageSize')} />
        </Form.Item>
      </Form>
    </Card>
  );

  return (
    <Flex vertical style={{ minWidth: 0 }}>
      <LifecycleBar d={d} blockers={local.map((p) => `${p.path}: ${p.message}`)} />
      <Flex gap={12} align={narrow ? 'stretch' : 'start'} vertical={narrow} style={{ minWidth: 0 }}>
        {settings}
        <Flex vertical gap={12} style={{ flex: 1, minWidth: 0 }}>
          {!form ? (
            <Card size="small">
              <Empty description={formError ? t('builder.view.formUnpublished') : t('builder.view.pickForm')} />
            </Card>
          ) : (
            <>
              <Card size="small" title={t('builder.view.columns')}>
                <ColumnList
                  columns={spec.columns ?? []}
                  choices={choices}
                  onAdd={(f) => d.set(addColumn(spec, f))}
                  onRemove={(i) => d.set(removeColumn(spec, i))}
                  onMove={(from, to) => d.set(moveColumn(spec, from, to))}
                  onWidth={(i, width) => d.set(updateColumn(spec, i, { width }), `view:width:${i}`)}
                  onFixed={(i, fixed) => d.set(updateColumn(spec, i, { fixed }))}
                  onLabel={(i, label) => d.set(updateColumn(spec, i, { label }), `view:label:${i}`)}
                  problems={problems}
                />
              </Card>
              <ProblemCard title={t('builder.view.filter')} testId="view-filter" problems={problemsAt(problems, 'filter')} problemId="problem-filter">
                <FilterEditor key={`${spec.form}:${filterable.length}`} app={d.app} form={spec.form} fields={filterable} value={spec.filter} onChange={(filter) => d.set(withOptional(spec, 'filter', filter), 'view:filter')} />
              </ProblemCard>
              <ProblemCard title={t('builder.view.sort')} problems={problemsAt(problems, 'sort')} problemId="problem-sort">
                <SortEditor keys={parseSort(spec.sort)} fields={columnFields(form)} onChange={(keys) => d.set(setSort(spec, keys))} />
              </ProblemCard>
              <Card size="small" title={t('builder.view.preview', { n: Math.min(PREVIEW_ROWS, spec.pageSize ?? PREVIEW_ROWS) })}>
                <RecordsPreview app={d.app} form={spec.form} spec={form} columns={spec.columns} filter={spec.filter} sort={spec.sort} limit={Math.min(PREVIEW_ROWS, spec.pageSize ?? PREVIEW_ROWS)} testId="view-preview" />
              </Card>
            </>
          )}
        </Flex>
      </Flex>
    </Flex>
  );
}
