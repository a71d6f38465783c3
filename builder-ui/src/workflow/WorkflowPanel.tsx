import { CheckOutlined, CloseOutlined, RollbackOutlined, SwapOutlined, UndoOutlined, UserAddOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Empty, Flex, Space, Spin, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { FormSpec, RecordDoc } from '../api/formTypes';
import { ApiError } from '../api/problem';
import { formatDateTime } from '../format/date';
import { useAsync } from '../hooks/useAsync';
import { useI18n } from '../i18n/useI18n';
import { getWorkflow, type Task, type WorkflowView } from './api';
import { DecisionDialog, type DialogRequest } from './DecisionDialog';
import { DueTag } from './DueTag';
import { onTasksChanged } from './events';
import { explain } from './explain';
import { approvalActions, knownPeople, stateColor, stateLabelOf, taskStatusColor, type ApprovalAction } from './model';
import { useFlow } from './useFlow';
import { AttachmentLinks, WorkflowTimeline } from './WorkflowTimeline';

interface Props {
  app: string;
  form: string;
  spec: FormSpec;
  record: RecordDoc;
  /** Reads the record again: a transition's steps may have changed its fields. */
  reload: () => void;
  /** The form has no published flow. */
  onMissing?: () => void;
}

const ACTION_ICONS: Record<ApprovalAction, ReactNode> = {
  approve: <CheckOutlined />,
  reject: <CloseOutlined />,
  return: <RollbackOutlined />,
  delegate: <SwapOutlined />,
  'add-signer': <UserAddOutlined />,
  withdraw: <UndoOutlined />,
};

/**
 * A record's workflow: its state, the transitions the caller may fire (as
 * buttons), the open approval with its approvers and the caller's
 * decisions, and the timeline. Everything comes from the server's view of
 * the record for this user; every action goes through one dialog.
 */
export function WorkflowPanel({ app, form, spec, record, reload, onMissing }: Props) {
  const { t, text } = useI18n();
  const [round, setRound] = useState(0);
  const { data: view, error, loading } = useAsync(() => getWorkflow(app, form, record._id), [app, form, record._id, record._version, round]);
  const flow = useFlow(app, view?.flow);
  const [request, setRequest] = useState<DialogRequest>();
  const missing = error instanceof ApiError && error.code === 'workflow.not_found';

  const missingRef = useRef(onMissing);
  missingRef.current = onMissing;
  useEffect(() => {
    if (missing) missingRef.current?.();
  }, [missing]);
  // A decision taken elsewhere (the inbox in another tab of this page) shows here too.
  useEffect(() => onTasksChanged(() => setRound((r) => r + 1)), []);

  const stateLabel = useMemo(() => (key: string) => text(stateLabelOf(key, view, flow)), [view, flow, text]);
  const people = useMemo(() => knownPeople(view), [view]);

  if (missing) return <Empty description={t('workflow.none')} />;
  if (loading && !view) {
    return (
      <Flex justify="center" style={{ padding: 32 }}>
        <Spin />
      </Flex>
    );
  }
  if (error || !view) return <Alert type="warning" showIcon message={explain(error, t)} action={<Button onClick={() => setRound((r) => r + 1)}>{t('apps.retry')}</Button>} />;

  const ap = view.approval;
  const actions = approvalActions(ap, flow);
  const open = (a: ApprovalAction) => {
    if (a === 'withdraw') setRequest({ kind: 'withdraw' });
    else if (ap?.myTask) setRequest({ kind: a, taskId: ap.myTask, returnTo: ap.returnTo, step: ap.step, mode: ap.mode });
  };
  const done = () => {
    setRequest(undefined);
    setRound((r) => r + 1);
    reload();
  };

  return (
    <Flex vertical gap={12} data-testid="workflow-panel">
      <Card size="small">
        <Flex vertical gap={12}>
          <Flex align="center" gap={8} wrap>
            <Typography.Text type="secondary">{text(view.title) || view.flow}</Typography.Text>
            <Tag color={stateColor(view)} data-testid="workflow-state">
              {view.started ? stateLabel(view.state) : t('workflow.notStarted')}
            </Tag>
            {view.finished && <Tag color="success">{t('workflow.finished')}</Tag>}
          </Flex>
          {view.transitions.length > 0 && (
            <Space wrap>
              {view.transitions.map((tr, i) => (
                <Button
                  key={`${tr.trigger}-${tr.to}`}
                  type={i === 0 ? 'primary' : 'default'}
                  data-testid={`transition-${tr.trigger}`}
                  onClick={() => setRequest({ kind: 'transition', trigger: tr.trigger, label: tr.label ?? tr.trigger, comment: tr.comment ?? 'optional' })}
                >
                  {text(tr.label) || tr.trigger}
                </Button>
              ))}
            </Space>
          )}
          {view.transitions.length === 0 && !ap && !view.finished && <Typography.Text type="secondary">{t('workflow.nothingToDo')}</Typography.Text>}
        </Flex>
      </Card>
      {ap && <ApprovalCard app={app} view={view} actions={actions} onAction={open} stateLabel={stateLabel} />}
      <Card size="small" title={t('workflow.timeline')}>
        <WorkflowTimeline app={app} entries={view.timeline} flow={flow} stateLabel={stateLabel} />
      </Card>
      <DecisionDialog
        request={request}
        target={{ app, form, record: record._id, attachmentField: spec.fields.find((f) => f.type === 'attachment') }}
        stateLabel={stateLabel}
        people={people}
        onClose={() => setRequest(undefined)}
        onDone={done}
      />
    </Flex>
  );
}

interface ApprovalProps {
  app: string;
  view: WorkflowView;
  actions: ApprovalAction[];
  onAction: (a: ApprovalAction) => void;
  stateLabel: (key: string) => string;
}

/** The open approval: how it decides, who is asked, and the caller's buttons. */
function ApprovalCard({ app, view, actions, onAction, stateLabel }: ApprovalProps) {
  const { t, locale } = useI18n();
  const ap = view.approval;
  const now = useMemo(() => new Date(), [view]);
  if (!ap) return null;
  const columns = [
    { key: 'assignee', title: t('workflow.assignee'), render: (_: unknown, task: Task) => task.assigneeName || task.assignee },
    { key: 'step', title: t('workflow.step'), render: (_: unknown, task: Task) => task.step, responsive: ['md' as const] },
    {
      key: 'status',
      title: t('workflow.status'),
      render: (_: unknown, task: Task) => (
        <Space size={4} wrap>
          <Tag color={taskStatusColor(task.status)}>{t(`workflow.task.${task.status}`)}</Tag>
          {task.status === 'pending' && <DueTag task={task} now={now} />}
        </Space>
      ),
    },
    {
      key: 'decided',
      title: t('workflow.decided'),
      render: (_: unknown, task: Task) => (
        <Flex vertical>
          {task.decidedAt && <Typography.Text type="secondary">{formatDateTime(task.decidedAt, locale)}</Typography.Text>}
          {task.comment && <Typography.Text>“{task.comment}”</Typography.Text>}
          <AttachmentLinks app={app} ids={task.attachments} />
        </Flex>
      ),
    },
  ];
  return (
    <Card size="small" title={t('workflow.approval', { state: stateLabel(ap.state) })} data-testid="approval-card">
      <Flex vertical gap={12}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('workflow.mode')}>{t(`workflow.mode.${ap.mode}`)}</Descriptions.Item>
          <Descriptions.Item label={t('workflow.progress')}>{t('workflow.stepOf', { step: ap.step, steps: ap.steps })}</Descriptions.Item>
          <Descriptions.Item label={t('workflow.submitter')}>{ap.submitterName || ap.submitter}</Descriptions.Item>
        </Descriptions>
        <Table<Task> rowKey="id" size="small" pagination={false} dataSource={ap.tasks} columns={columns} scroll={{ x: true }} />
        {actions.length > 0 && (
          <Space wrap>
            {actions.map((a) => (
              <Button
                key={a}
                icon={ACTION_ICONS[a]}
                type={a === 'approve' ? 'primary' : 'default'}
                danger={a === 'reject'}
                data-testid={`approval-${a}`}
                onClick={() => onAction(a)}
              >
                {t(`workflow.action.${a}`)}
              </Button>
            ))}
          </Space>
        )}
      </Flex>
    </Card>
  );
}
