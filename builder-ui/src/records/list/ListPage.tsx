import '../records.css';
import { AppstoreOutlined, CalendarOutlined, FilterOutlined, PlusOutlined, SaveOutlined, TableOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Flex, Input, Modal, Result, Segmented, Select, Space, Spin, Tag, Typography, type ButtonProps } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate, useOutletContext, useParams, useSearchParams } from 'react-router-dom';
import type { FilterJson, FormSpec, RecordDoc, ViewSpec, ViewType } from '../../api/formTypes';
import { getPublished } from '../../api/meta';
import { formRights, NO_RIGHTS, type FormRights } from '../../api/rights';
import type { Definition } from '../../api/types';
import { useAuth } from '../../auth/useAuth';
import { recordPath } from '../../extensions/fieldTypes/relation';
import { useAsync } from '../../hooks/useAsync';
import { errorMessage } from '../../i18n/errorMessage';
import { useI18n } from '../../i18n/useI18n';
import type { AppContext } from '../../layout/AppLayout';
import { useIsMobile } from '../../layout/useIsMobile';
import { defaultColumns, resolveColumns, type ResolvedColumn } from '../columns';
import { ExportMenu } from '../io/ExportMenu';
import { ImportWizard } from '../io/ImportWizard';
import { filterFields } from '../filter/fields';
import { FilterBuilder } from '../filter/FilterBuilder';
import { emptyGroup, type Group } from '../filter/model';
import { andFilters, buildFilter } from '../filter/toFilter';
import { publishedForm } from '../resolve';
import { useDebounced } from '../useDebounced';
import { useRecordPage } from './useRecordPage';
import { BulkBar } from './BulkBar';
import { CalendarBoard } from './CalendarBoard';
import { KanbanBoard } from './KanbanBoard';
import { Pager } from './Pager';
import { RecordCards } from './RecordCards';
import { RecordTable, sortParam, type SortState } from './RecordTable';
import { getSavedView, saveView as storeView, savedViewPath, viewChoices, type SavedView, type SavedViewInput } from './savedViews';

interface Loaded {
  view?: Definition<ViewSpec>;
  /** The user's saved view the list opened with (?saved=id). */
  saved?: SavedView;
  form: string;
  spec: FormSpec;
  columns: ResolvedColumn[];
}

async function load(app: string, viewKey: string | undefined, formKey: string | undefined, savedId: string | undefined): Promise<Loaded> {
  const view = viewKey ? await getPublished<ViewSpec>(app, 'view', viewKey) : undefined;
  const form = view ? view.spec.form : (formKey ?? '');
  const [spec, saved] = await Promise.all([
    publishedForm(app, form).then((f) => f.spec),
    savedId && !view ? getSavedView(app, form, savedId) : undefined,
  ]);
  const cols = saved?.columns?.length
    ? saved.columns.map((field) => ({ field }))
    : view?.spec.columns?.length
      ? view.spec.columns
      : defaultColumns(spec);
  const out: Loaded = { form, spec, columns: await resolveColumns(app, form, spec, cols) };
  if (view) out.view = view;
  if (saved) out.saved = saved;
  return out;
}

function isGroup(v: unknown): v is Group {
  return typeof v === 'object' && v !== null && (v as Group).type === 'group' && Array.isArray((v as Group).items);
}

/** A list of records: a view (/view/:view) or a whole form (/form/:form). */
export function ListPage() {
  const { view: viewKey, form: formKey } = useParams();
  const { app } = useOutletContext<AppContext>();
  const { t, text } = useI18n();
  const [searchParams] = useSearchParams();
  const savedId = searchParams.get('saved') ?? undefined;
  const { data, error, loading } = useAsync(() => load(app.key, viewKey, formKey, savedId), [app.key, viewKey, formKey, savedId]);
  if (loading && !data) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin />
      </Flex>
    );
  }
  if (error || !data) {
    const m = errorMessage(error);
    return <Result status={m.key === 'error.notFound' ? '404' : 'warning'} title={t(m.key, m.params)} />;
  }
  const title = data.saved?.name || text(data.view?.spec.title ?? data.spec.title) || data.form;
  return <ListBody key={`${viewKey ?? ''}/${data.form}/${data.saved?.id ?? ''}`} app={app.key} loaded={data} title={title} />;
}

function ListBody({ app, loaded, title }: { app: string; loaded: Loaded; title: string }) {
  const { view, saved, form, spec, columns } = loaded;
  const { t, text } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const [searchParams, setSearchParams] = useSearchParams();
  const vspec = view?.spec;
  const fields = useMemo(() => filterFields(spec), [spec]);
  const [group, setGroup] = useState<Group>(() =>
    isGroup(saved?.state?.builder) ? saved.state.builder : isGroup(vspec?.options?.builder) ? vspec.options.builder : emptyGroup(),
  );
  const [showFilter, setShowFilter] = useState(false);
  const [q, setQ] = useState(saved?.search ?? (typeof vspec?.options?.q === 'string' ? vspec.options.q : ''));
  const [sort, setSort] = useState<SortState>();
  const [pageSize, setPageSize] = useState(vspec?.pageSize && vspec.pageSize <= 100 ? vspec.pageSize : 20);
  const [selected, setSelected] = useState<string[]>([]);
  const [importing, setImporting] = useState(false);
  const [rights, setRights] = useState<FormRights>(NO_RIGHTS);
  const groupKey = saved?.groupBy ?? vspec?.groupBy;
  const dateKey = saved?.dateField ?? vspec?.dateField;
  const mode = saved?.mode ?? vspec?.type;
  const groupField = spec.fields.find((f) => f.key === groupKey) ?? spec.fields.find((f) => f.type === 'select');
  const dateField = spec.fields.find((f) => f.key === dateKey) ?? spec.fields.find((f) => f.type === 'date' || f.type === 'datetime');
  const [layout, setLayout] = useState<ViewType>(mode === 'kanban' && groupField ? 'kanban' : mode === 'calendar' && dateField ? 'calendar' : 'table');
  const { data: views, reload: reloadViews } = useAsync(
    () => (user ? viewChoices(app, form, (v) => text(v.title)) : Promise.resolve([])),
    [app, form, user],
  );

  useEffect(() => {
    if (!user) return;
    let current = true;
    formRights(user, app, form)
      .then((r) => current && setRights(r))
      .catch(() => current && setRights(NO_RIGHTS));
    return () => {
      current = false;
    };
  }, [user, app, form]);

  // A filter handed over in the address (a related list's "view all").
  const linked = useMemo(() => {
    const raw = searchParams.get('filter');
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as unknown;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as FilterJson) : undefined;
    } catch {
      return undefined;
    }
  }, [searchParams]);

  const built = useMemo(() => buildFilter(group, fields), [group, fields]);
  const filter = useDebounced(andFilters(linked, built.filter), 300);
  const search = useDebounced(q, 300);
  const sortBy = sortParam(sort) ?? saved?.sort;
  const params = { view: view?.key, filter, q: search, sort: sortBy, limit: pageSize };
  const page = useRecordPage(app, form, params, layout === 'table');
  useEffect(() => setSelected([]), [page.items]);

  const open = (rec: RecordDoc) => navigate(recordPath(app, form, rec._id));
  const conditions = countConditions(group);
  const current = saved ? `saved:${saved.id}` : view ? `view:${view.key}` : undefined;

  const [naming, setNaming] = useState<string>();
  const saveView = async (asNew: boolean, name?: string) => {
    if (!user) return;
    if (asNew && !name) {
      setNaming(title);
      return;
    }
    setNaming(undefined);
    const input: SavedViewInput = {
      name: name ?? saved?.name ?? title,
      mode: layout,
      state: { builder: group },
      ...(saved?.shared ? { shared: true } : {}),
    };
    if (built.filter && Object.keys(built.filter).length > 0) input.filter = built.filter;
    if (q.trim()) input.search = q.trim();
    const s = sortBy ?? vspec?.sort;
    if (s) input.sort = s;
    const cols = saved?.columns ?? vspec?.columns?.map((c) => c.field);
    if (cols?.length) input.columns = cols;
    if (groupField && layout === 'kanban') input.groupBy = groupField.key;
    if (dateField && layout === 'calendar') input.dateField = dateField.key;
    try {
      const v = await storeView(app, form, input, !asNew && saved?.mine ? { id: saved.id, version: saved.version } : undefined);
      message.success(t('views.saved'));
      reloadViews();
      if (v.id !== saved?.id) navigate(savedViewPath(app, form, v.id));
    } catch (e) {
      const m = errorMessage(e);
      message.error(t(m.key, m.params));
    }
  };

  const layouts = [
    { value: 'table', icon: <TableOutlined />, label: mobile ? undefined : t('views.table') },
    ...(groupField ? [{ value: 'kanban', icon: <AppstoreOutlined />, label: mobile ? undefined : t('views.kanban') }] : []),
    ...(dateField ? [{ value: 'calendar', icon: <CalendarOutlined />, label: mobile ? undefined : t('views.calendar') }] : []),
  ];

  return (
    <Flex vertical gap={12} style={{ minWidth: 0 }}>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Title level={3} style={{ margin: 0 }} data-testid="list-title">
          {title}
        </Typography.Title>
        <Space wrap>
          {rights.import && <Button onClick={() => setImporting(true)}>{t('import.open')}</Button>}
          {rights.export && <ExportMenu app={app} form={form} params={params} />}
          {rights.create && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`/apps/${encodeURIComponent(app)}/form/${encodeURIComponent(form)}/new`)} data-testid="new-record">
              {t('record.new')}
            </Button>
          )}
        </Space>
      </Flex>
      <Flex gap={8} wrap align="center">
        <div data-testid="list-search" style={{ flex: '1 1 200px', maxWidth: 320 }}>
          <Input.Search allowClear value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('list.search')} aria-label={t('list.search')} />
        </div>
        <Badge count={conditions} size="small">
          <Button icon={<FilterOutlined />} onClick={() => setShowFilter((s) => !s)} type={showFilter ? 'primary' : 'default'} data-testid="filter-toggle">
            {t('filter.title')}
          </Button>
        </Badge>
        <Select
          value={current}
          placeholder={t('views.pick')}
          onChange={(k: string) => {
            const [kind, id] = [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)];
            navigate(kind === 'saved' ? savedViewPath(app, form, id) : `/apps/${encodeURIComponent(app)}/view/${encodeURIComponent(id)}`);
          }}
          options={[
            { label: t('views.shared'), options: (views ?? []).filter((v) => !v.mine).map(({ value, label }) => ({ value, label })) },
            { label: t('views.mine'), options: (views ?? []).filter((v) => v.mine).map(({ value, label }) => ({ value, label })) },
          ]}
          style={{ minWidth: 140 }}
          aria-label={t('views.pick')}
        />
        <Button icon={<SaveOutlined />} onClick={() => void saveView(!saved?.mine)} data-testid="save-view">
          {saved?.mine ? t('views.update') : t('views.saveAs')}
        </Button>
        {layouts.length > 1 && <Segmented value={layout} onChange={(v) => setLayout(v as ViewType)} options={layouts} />}
      </Flex>
      {linked && (
        <div>
          <Tag
            closable
            onClose={() => {
              searchParams.delete('filter');
              setSearchParams(searchParams);
            }}
          >
            {t('list.linkedFilter')}
          </Tag>
        </div>
      )}
      {view && vspec?.filter && Object.keys(vspec.filter).length > 0 && (
        <Typography.Text type="secondary">{t('list.viewFilter')}</Typography.Text>
      )}
      {showFilter && (
        <Card size="small">
          <FilterBuilder app={app} form={form} value={group} onChange={setGroup} fields={fields} incomplete={built.incomplete} />
        </Card>
      )}
      {layout === 'kanban' && groupField ? (
        <KanbanBoard app={app} form={form} spec={spec} group={groupField} columns={columns} filter={filter} view={view?.key} q={search} sort={sortBy} onOpen={open} />
      ) : layout === 'calendar' && dateField ? (
        <CalendarBoard app={app} form={form} spec={spec} dateField={dateField} filter={filter} view={view?.key} q={search} mobile={mobile} onOpen={open} />
      ) : (
        <>
          {page.error ? <ListError error={page.error} onRetry={page.reload} /> : null}
          {!mobile && rights.bulk && <BulkBar app={app} form={form} spec={spec} selected={selected} onDone={page.reload} />}
          {mobile ? (
            <RecordCards app={app} spec={spec} columns={columns} items={page.items} loading={page.loading} onOpen={open} />
          ) : (
            <RecordTable app={app} columns={columns} items={page.items} loading={page.loading} sort={sort} onSort={setSort} selected={selected} onSelect={setSelected} onOpen={open} />
          )}
          <Pager page={page} pageSize={pageSize} onPageSize={setPageSize} />
        </>
      )}
      <Modal
        open={naming !== undefined}
        title={t('views.saveAs')}
        onCancel={() => setNaming(undefined)}
        onOk={() => void saveView(true, naming?.trim())}
        okButtonProps={{ disabled: !naming?.trim(), 'data-testid': 'save-view-ok' } as ButtonProps}
        destroyOnHidden
      >
        <Input value={naming} onChange={(e) => setNaming(e.target.value)} aria-label={t('views.namePrompt')} placeholder={t('views.namePrompt')} maxLength={100} autoFocus />
      </Modal>
      {importing && (
        <ImportWizard
          app={app}
          form={form}
          spec={spec}
          onClose={(changed) => {
            setImporting(false);
            if (changed) page.reload();
          }}
        />
      )}
    </Flex>
  );
}

function countConditions(g: Group): number {
  return g.items.reduce((n, it) => n + (it.type === 'group' ? countConditions(it) : it.field ? 1 : 0), 0);
}

/** A failed page: the reason, and a retry that keeps the filter typed. */
function ListError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useI18n();
  const m = errorMessage(error);
  const detail = error instanceof Error && m.key === 'error.unknown' ? error.message : undefined;
  return (
    <Result
      status="warning"
      title={t(m.key, m.params)}
      subTitle={detail}
      extra={
        <Button onClick={onRetry} data-testid="list-retry">
          {t('apps.retry')}
        </Button>
      }
    />
  );
}
