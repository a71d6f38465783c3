import { CheckOutlined, CloseOutlined, MoreOutlined, RollbackOutlined, SwapOutlined, UserAddOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Dropdown, Empty, Flex, Row, Segmented, Select, Space, Spin, Statistic, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { listApps, listDefinitions } from '../api/meta';
import { formatDateTime } from '../format/date';
import { useAsync } from '../hooks/useAsync';
import { useI18n } from '../i18n/useI18n';
import { useIsMobile } from '../layout/useIsMobile';
import { publishedForm } from '../records/resolve';
import { getWorkflow, listTasks, type Decision, type DueFilter, type InboxCounts, type InboxStatus, type Task } from '../workflow/api';
import { DecisionDialog, type DialogRequest, type DialogTarget } from '../workflow/DecisionDialog';
import { DueTag } from '../workflow/DueTag';
import { onTasksChanged } from '../workflow/events';
import { explain } from '../workflow/explain';
import { knownPeople, stateLabelOf, taskStatusColor } from '../workflow/model';
import { loadFlow } from '../workflow/useFlow';
import { activeCard, countCards, filtersFromParams, paramsFromFilters, queryOf, type InboxFilters } from './model';

/** A decision being prepared: its dialog request, target and labels. */
interface Pending {
  request: DialogRequest;
  target: DialogTarget;
  people: { id: string; name: string }[];
  labels: (key: string) => string;
}

/** The route of a task's record. */
function recordPath(task: Task): string {
  const seg = encodeURIComponent;
  return `/apps/${seg(task.app)}/form/${seg(task.form)}/records/${seg(task.record)}`;
}

/**
 * The signed-in user's tasks across apps (or one app's, inside it): counts
 * of pending, overdue, due today and done, filters kept in the address,
 * deadlines, and approve / reject / return / delegate / add signer right
 * from the list.
 */
export function InboxPage() {
  const { app: routeApp } = useParams();
  const { t, text, locale } = useI18n();
  const { message } = App.useApp();
  const mobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params, routeApp), [params, routeApp]);
  const [tasks, setTasks] = useState<Task[]>([]);
  const [counts, setCounts] = useState<InboxCounts>();
  const [next, setNext] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<string>();
  const [round, setRound] = useState(0);
  const [pending, setPending] = useState<Pending>();
  const [preparing, setPreparing] = useState<string>();
  const [formTitles, setFormTitles] = useState<Record<string, string>>({});
  const now = useMemo(() => new Date(), [tasks]);
  const apps = useAsync(() => listApps(), []);
  const forms = useAsync(() => (filters.app ? listDefinitions(filters.app, 'form') : Promise.resolve([])), [filters.app]);

  const setFilters = (f: InboxFilters) => setParams(paramsFromFilters(f, routeApp), { replace: true });

  const load = useCallback(
    async (cursor: string | undefined, signal?: AbortSignal) => {
      setLoading(true);
      try {
        const page = await listTasks(queryOf(filters, cursor), signal);
        setTasks((old) => (cursor ? [...old, ...page.tasks] : page.tasks));
        setCounts(page.counts);
        setNext(page.next);
        setFailure(undefined);
      } catch (err) {
        if (!(err instanceof DOMException && err.name === 'AbortError')) setFailure(explain(err, t));
      } finally {
        setLoading(false);
      }
    },
    [filters, t],
  );

  useEffect(() => {
    const ctl = new AbortController();
    void load(undefined, ctl.signal);
    return () => ctl.abort();
  }, [load, round]);
  useEffect(() => onTasksChanged(() => setRound((r) => r + 1)), []);

  // Form titles for the list, read once per form.
  useEffect(() => {
    for (const task of tasks) {
      const key = `${task.app}/${task.form}`;
      if (key in formTitles) continue;
      setFormTitles((m) => ({ ...m, [key]: task.form }));
      publishedForm(task.app, task.form).then(
        (d) => setFormTitles((m) => ({ ...m, [key]: text(d.spec.title) || task.form })),
        () => undefined,
      );
    }
  }, [tasks, formTitles, text]);

  /** Reads what a decision needs (return targets, people, the form's attachment field), then opens its dialog. */
  const prepare = async (task: Task, kind: Decision) => {
    setPreparing(task.id);
    try {
      const [view, spec, flow] = await Promise.all([
        getWorkflow(task.app, task.form, task.record).catch(() => undefined),
        publishedForm(task.app, task.form).then((d) => d.spec, () => undefined),
        loadFlow(task.app, task.flow),
      ]);
      const ap = view?.approval;
      setPending({
        request: { kind, taskId: task.id, returnTo: ap?.returnTo ?? [], step: ap?.step ?? task.step, mode: ap?.mode ?? task.mode },
        target: { app: task.app, form: task.form, record: task.record, attachmentField: spec?.fields.find((f) => f.type === 'attachment') },
        people: knownPeople(view, [task]),
        labels: (key) => text(stateLabelOf(key, view, flow)),
      });
    } finally {
      setPreparing(undefined);
    }
  };

  const done = () => {
    setPending(undefined);
    void message.success(t('inbox.decided'));
    setRound((r) => r + 1);
  };

  const actionsOf = (task: Task) => {
    if (task.status !== 'pending' || filters.status === 'done') return null;
    const busy = preparing === task.id;
    return (
      <Space size={4} wrap onClick={(e) => e.stopPropagation()}>
        <Button size="small" type="primary" icon={<CheckOutlined />} loading={busy} onClick={() => void prepare(task, 'approve')} data-testid="task-approve">
          {t('workflow.action.approve')}
        </Button>
        <Button size="small" danger icon={<CloseOutlined />} disabled={busy} onClick={() => void prepare(task, 'reject')} data-testid="task-reject">
          {t('workflow.action.reject')}
        </Button>
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              { key: 'return', icon: <RollbackOutlined />, label: t('workflow.action.return') },
              { key: 'delegate', icon: <SwapOutlined />, label: t('workflow.action.delegate') },
              { key: 'add-signer', icon: <UserAddOutlined />, label: t('workflow.action.add-signer') },
            ],
            onClick: ({ key }) => void prepare(task, key as Decision),
          }}
        >
          <Button size="small" icon={<MoreOutlined />} disabled={busy} aria-label={t('inbox.more')} data-testid="task-more" />
        </Dropdown>
      </Space>
    );
  };

  const titleOf = (task: Task) => (
    <Link to={recordPath(task)} data-testid="task-title">
      {task.title || task.record}
    </Link>
  );
  const statusOf = (task: Task) =>
    task.status === 'pending' ? (
      <DueTag task={task} now={now} />
    ) : (
      <Tag color={taskStatusColor(task.status)}>{t(`workflow.task.${task.status}`)}</Tag>
    );

  const cards = countCards(counts);
  const active = activeCard(filters);
  const appOptions = (apps.data ?? []).map((a) => ({ value: a.key, label: text(a.spec.title) || a.key }));
  const formOptions = (forms.data ?? []).map((d) => ({ value: d.key, label: text(d.spec.title) || d.key }));

  return (
    <Flex vertical gap={16} data-testid="inbox">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('inbox.title')}
      </Typography.Title>
      <Row gutter={[12, 12]}>
        {cards.map((c) => (
          <Col key={c.key} xs={12} md={6}>
            <Card
              size="small"
              hoverable
              onClick={() => setFilters(c.select(filters))}
              style={active === c.key ? { borderColor: '#1677ff' } : undefined}
              data-testid={`count-${c.key}`}
            >
              <Statistic title={t(c.label)} value={c.value} valueStyle={c.alert ? { color: '#cf1322' } : undefined} />
            </Card>
          </Col>
        ))}
      </Row>
      <Flex gap={8} wrap align="center">
        <Segmented<InboxStatus>
          value={filters.status}
          onChange={(status) => setFilters({ ...filters, status, due: status === 'done' ? undefined : filters.due })}
          options={(['pending', 'done', 'all'] as const).map((s) => ({ value: s, label: t(`inbox.status.${s}`) }))}
          data-testid="inbox-status"
        />
        <Select<DueFilter | ''>
          value={filters.due ?? ''}
          disabled={filters.status === 'done'}
          onChange={(due) => setFilters({ ...filters, due: due || undefined })}
          options={[
            { value: '', label: t('inbox.due.any') },
            ...(['overdue', 'today', 'week'] as const).map((d) => ({ value: d, label: t(`inbox.due.${d}`) })),
          ]}
          style={{ minWidth: 120 }}
          aria-label={t('inbox.dueFilter')}
        />
        {!routeApp && (
          <Select
            value={filters.app}
            allowClear
            placeholder={t('inbox.allApps')}
            onChange={(app?: string) => setFilters({ ...filters, app, form: undefined })}
            options={appOptions}
            style={{ minWidth: 140 }}
            aria-label={t('inbox.app')}
          />
        )}
        {filters.app && (
          <Select
            value={filters.form}
            allowClear
            placeholder={t('inbox.allForms')}
            onChange={(form?: string) => setFilters({ ...filters, form })}
            options={formOptions}
            style={{ minWidth: 140 }}
            aria-label={t('inbox.form')}
          />
        )}
      </Flex>
      {failure && <Alert type="error" showIcon message={failure} action={<Button onClick={() => setRound((r) => r + 1)}>{t('apps.retry')}</Button>} />}
      {mobile ? (
        <Flex vertical gap={8} data-testid="task-list">
          {loading && tasks.length === 0 && <Spin />}
          {!loading && tasks.length === 0 && <Empty description={t('inbox.empty')} />}
          {tasks.map((task) => (
            <Card key={task.id} size="small" data-testid="task-row">
              <Flex vertical gap={6}>
                <Flex justify="space-between" gap={8}>
                  <Typography.Text strong ellipsis>
                    {titleOf(task)}
                  </Typography.Text>
                  {statusOf(task)}
                </Flex>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formTitles[`${task.app}/${task.form}`] ?? task.form} · {text(task.stateLabel) || task.state} · {t('inbox.from', { who: task.submitterName || task.submitter || '' })}
                </Typography.Text>
                {task.comment && <Typography.Text type="secondary">“{task.comment}”</Typography.Text>}
                {actionsOf(task)}
              </Flex>
            </Card>
          ))}
        </Flex>
      ) : (
        <Table<Task>
          rowKey="id"
          size="middle"
          loading={loading}
          dataSource={tasks}
          pagination={false}
          locale={{ emptyText: <Empty description={t('inbox.empty')} /> }}
          data-testid="task-list"
          onRow={() => ({ 'data-testid': 'task-row' }) as object}
          columns={[
            { key: 'title', title: t('inbox.col.title'), render: (_, task) => titleOf(task) },
            { key: 'form', title: t('inbox.col.form'), render: (_, task) => formTitles[`${task.app}/${task.form}`] ?? task.form },
            { key: 'state', title: t('inbox.col.state'), render: (_, task) => `${text(task.stateLabel) || task.state} · ${t('workflow.stepShort', { step: task.step })}` },
            { key: 'submitter', title: t('inbox.col.submitter'), render: (_, task) => task.submitterName || task.submitter },
            { key: 'created', title: t('inbox.col.created'), render: (_, task) => formatDateTime(task.createdAt, locale) },
            { key: 'due', title: t('inbox.col.due'), render: (_, task) => statusOf(task) },
            ...(filters.status === 'done' ? [] : [{ key: 'actions', title: t('inbox.col.actions'), render: (_: unknown, task: Task) => actionsOf(task) }]),
          ]}
        />
      )}
      {next && (
        <Button onClick={() => void load(next)} loading={loading} data-testid="inbox-more">
          {t('inbox.loadMore')}
        </Button>
      )}
      <DecisionDialog
        request={pending?.request}
        target={pending?.target}
        stateLabel={pending?.labels ?? ((k) => k)}
        people={pending?.people ?? []}
        onClose={() => setPending(undefined)}
        onDone={done}
      />
    </Flex>
  );
}
