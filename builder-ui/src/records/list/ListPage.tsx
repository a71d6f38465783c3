import '../records.css';
import { AppstoreOutlined, CalendarOutlined, FilterOutlined, PlusOutlined, SaveOutlined, TableOutlined } from '@ant-design/icons';
import { App, Badge, Button, Card, Flex, Input, Modal, Result, Segmented, Select, Space, Spin, Tag, Typography, type ButtonProps } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useNavigate, useOutletContext, useParams, useSearchParams } from 'react-router-dom';
import type { FilterJson, FormSpec, RecordDoc, ViewSpec, ViewType } from '../../api/formTypes';
import { getPublished } from '../../api/meta';
import { formRights, type FormRights } from '../../api/rights';
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
import { listSavedViews, ownerOf, savePersonalView } from './savedViews';

interface Loaded {
  view?: Definition<ViewSpec>;
  form: string;
  spec: FormSpec;
  columns: ResolvedColumn[];
}

async function load(app: string, viewKey: string | undefined, formKey: string | undefined): Promise<Loaded> {
  const view = viewKey ? await getPublished<ViewSpec>(app, 'view', viewKey) : undefined;
  const form = view ? view.spec.form : (formKey ?? '');
  const spec = (await publishedForm(app, form)).spec;
  const cols = view?.spec.columns?.length ? view.spec.columns : defaultColumns(spec);
  const out: Loaded = { form, spec, columns: await resolveColumns(app, form, spec, cols) };
  if (view) out.view = view;
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
  const { data, error, loading } = useAsync(() => load(app.key, viewKey, formKey), [app.key, viewKey, formKey]);
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
  const title = text(data.view?.spec.title ?? data.spec.title) || data.form;
  return <ListBody key={`${viewKey ?? ''}/${data.form}`} app={app.key} loaded={data} title={title} />;
}

function ListBody({ app, loaded, title }: { app: string; loaded: Loaded; title: string }) {
  const { view, form, spec, columns } = loaded;
  const { t, text } = useI18n();
  const { message } = App.useApp();
  const { user } = useAuth();
  const navigate = useNavigate();
  const mobile = useIsMobile();
  const [searchParams, setSearchParams] = useSearchParams();
  const vspec = view?.spec;
  const fields = useMemo(() => filterFields(spec), [spec]);
  const [group, setGroup] = useState<Group>(() => (isGroup(vspec?.options?.builder) ? vspec.options.builder : emptyGroup()));
  const [showFilter, setShowFilter] = useState(false);
  const [q, setQ] = useState(typeof vspec?.options?.q === 'string' ? vspec.options.q : '');
  const [sort, setSort] = useState<SortState>();
  const [pageSize, setPageSize] = useState(vspec?.pageSize && vspec.pageSize <= 100 ? vspec.pageSize : 20);
  const [selected, setSelected] = useState<string[]>([]);
  const [importing, setImporting] = useState(false);
  const [rights, setRights] = useState<FormRights>({ export: false, import: false });
  const groupField = spec.fields.find((f) => f.key === vspec?.groupBy) ?? spec.fields.find((f) => f.type === 'select');
  const dateField = spec.fields.find((f) => f.key === vspec?.dateField) ?? spec.fields.find((f) => f.type === 'date' || f.type === 'datetime');
  const [layout, setLayout] = useState<ViewType>(vspec?.type === 'kanban' && groupField ? 'kanban' : vspec?.type === 'calendar' && dateField ? 'calendar' : 'table');
  const { data: views, reload: reloadViews } = useAsync(() => (user ? listSavedViews(app, form, user) : Promise.resolve([])), [app, form, user]);

  useEffect(() => {
    if (!user) return;
    let current = true;
    void formRights(user, app, form).then((r) => current && setRights(r));
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
  const params = { view: view?.key, filter, q: search, sort: sortParam(sort), limit: pageSize };
  const page = useRecordPage(app, form, params, layout === 'table');
  useEffect(() => setSelected([]), [page.items]);

  const open = (rec: RecordDoc) => navigate(recordPath(app, form, rec._id));
  const conditions = countConditions(group);
  const current = views?.find((v) => v.key === view?.key);

  const [naming, setNaming] = useState<string>();
  const saveView = async (asNew: boolean, name?: string) => {
    if (!user) return;
    if (asNew && !name) {
      setNaming(title);
      return;
    }
    setNaming(undefined);
    const spec2: ViewSpec = {
      title: name ?? vspec?.title ?? title,
      form,
      type: layout,
      options: { owner: user.id, builder: group, ...(q ? { q } : {}) },
    };
    const s = sortParam(sort) ?? vspec?.sort;
    if (s) spec2.sort = s;
    if (vspec?.columns) spec2.columns = vspec.columns;
    if (groupField && layout === 'kanban') spec2.groupBy = groupField.key;
    if (dateField && layout === 'calendar') spec2.dateField = dateField.key;
    try {
      const key = await savePersonalView(app, spec2, !asNew && current?.mine ? { key: current.key, version: current.version } : undefined);
      message.success(t('views.saved'));
      reloadViews();
      if (key !== view?.key) navigate(`/apps/${encodeURIComponent(app)}/view/${encodeURIComponent(key)}`);
    } catch (e) {
      const m = errorMessage(e);
      message.error(t(m.key === 'error.forbidden' ? 'views.forbidden' : m.key, m.params));
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
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`/apps/${encodeURIComponent(app)}/form/${encodeURIComponent(form)}/new`)} data-testid="new-record">
            {t('record.new')}
          </Button>
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
          value={view?.key}
          placeholder={t('views.pick')}
          onChange={(k: string) => navigate(`/apps/${encodeURIComponent(app)}/view/${encodeURIComponent(k)}`)}
          options={[
            { label: t('views.shared'), options: (views ?? []).filter((v) => !v.mine).map((v) => ({ value: v.key, label: text(v.spec.title) })) },
            { label: t('views.mine'), options: (views ?? []).filter((v) => v.mine).map((v) => ({ value: v.key, label: text(v.spec.title) })) },
          ]}
          style={{ minWidth: 140 }}
          aria-label={t('views.pick')}
        />
        <Button icon={<SaveOutlined />} onClick={() => void saveView(!current?.mine)} data-testid="save-view">
          {current?.mine ? t('views.update') : t('views.saveAs')}
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
      {view && ownerOf(view.spec) === undefined && vspec?.filter && Object.keys(vspec.filter).length > 0 && (
        <Typography.Text type="secondary">{t('list.viewFilter')}</Typography.Text>
      )}
      {showFilter && (
        <Card size="small">
          <FilterBuilder app={app} form={form} value={group} onChange={setGroup} fields={fields} incomplete={built.incomplete} />
        </Card>
      )}
      {layout === 'kanban' && groupField ? (
        <KanbanBoard app={app} form={form} spec={spec} group={groupField} columns={columns} filter={filter} view={view?.key} q={search} sort={sortParam(sort)} onOpen={open} />
      ) : layout === 'calendar' && dateField ? (
        <CalendarBoard app={app} form={form} spec={spec} dateField={dateField} filter={filter} view={view?.key} q={search} mobile={mobile} onOpen={open} />
      ) : (
        <>
          {page.error ? <ListError error={page.error} onRetry={page.reload} /> : null}
          {!mobile && <BulkBar app={app} form={form} spec={spec} selected={selected} onDone={page.reload} />}
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
