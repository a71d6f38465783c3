import type { LocalizedText } from '../api/types';
import type { ApprovalView, EntryKind, Task, TaskStatus, WorkflowView } from './api';

/**
 * Pure helpers of the workflow UI: colours, state labels, which approval
 * actions to offer, and how close a deadline is.
 */

/** The parts of a flow definition (engine/meta/schemas/flow.json) the UI reads. */
export interface FlowSpec {
  title?: LocalizedText;
  form: string;
  states: {
    key: string;
    label?: LocalizedText;
    type?: 'normal' | 'approval' | 'final';
    approval?: { mode?: string; returnTo?: string[]; withdraw?: boolean; delegate?: boolean; addSigner?: boolean };
  }[];
  transitions: { trigger: string; label?: LocalizedText; from: string | string[]; to: string }[];
}

/** A state's label: the view's for the current state, the flow's for the others, else its key. */
export function stateLabelOf(key: string | undefined, view: Pick<WorkflowView, 'state' | 'stateLabel'> | undefined, flow: FlowSpec | undefined): LocalizedText {
  if (!key) return '';
  if (view && key === view.state && view.stateLabel) return view.stateLabel;
  return flow?.states.find((s) => s.key === key)?.label ?? key;
}

/** The tag colour of the current state. */
export function stateColor(view: Pick<WorkflowView, 'stateType' | 'finished' | 'started'>): string {
  if (!view.started) return 'default';
  if (view.stateType === 'approval') return 'processing';
  if (view.finished || view.stateType === 'final') return 'success';
  return 'blue';
}

/** The tag colour of a task's status. */
export function taskStatusColor(status: TaskStatus): string {
  switch (status) {
    case 'pending':
      return 'processing';
    case 'approved':
      return 'success';
    case 'rejected':
      return 'error';
    case 'returned':
    case 'escalated':
      return 'warning';
    default:
      return 'default';
  }
}

/** The dot colour of a timeline entry. */
export function entryColor(kind: EntryKind): string {
  switch (kind) {
    case 'approve':
      return 'green';
    case 'reject':
    case 'overdue':
      return 'red';
    case 'return':
    case 'withdraw':
    case 'escalate':
      return 'orange';
    case 'remind':
      return 'gray';
    default:
      return 'blue';
  }
}

/** An approval action a task's assignee (or the submitter) can take. */
export type ApprovalAction = 'approve' | 'reject' | 'return' | 'delegate' | 'add-signer' | 'withdraw';

/**
 * The approval actions to offer the caller: the decisions on their own
 * pending task (return only when there is somewhere to return to; delegate
 * and add-signer unless the flow turns them off) and withdraw for the
 * submitter while the approval allows it.
 */
export function approvalActions(ap: ApprovalView | undefined, flow: FlowSpec | undefined): ApprovalAction[] {
  if (!ap) return [];
  const out: ApprovalAction[] = [];
  if (ap.myTask) {
    const opts = flow?.states.find((s) => s.key === ap.state)?.approval;
    out.push('approve', 'reject');
    if (ap.returnTo.length > 0 || (ap.mode === 'sequential' && ap.step > 1)) out.push('return');
    if (opts?.delegate !== false) out.push('delegate');
    if (opts?.addSigner !== false) out.push('add-signer');
  }
  if (ap.canWithdraw) out.push('withdraw');
  return out;
}

/** How close a task's deadline is. */
export type DueState = 'overdue' | 'today' | 'week' | 'later';

/**
 * The deadline of a pending task against now: past it (or marked overdue
 * by the SLA runner), before the end of today in the user's zone, within
 * seven days, or later. Tasks without a deadline or already decided have
 * none.
 */
export function dueState(task: Pick<Task, 'dueAt' | 'overdue' | 'status'>, now: Date): DueState | undefined {
  if (task.status !== 'pending') return undefined;
  if (task.overdue) return 'overdue';
  if (!task.dueAt) return undefined;
  const due = new Date(task.dueAt).getTime();
  if (Number.isNaN(due)) return undefined;
  if (due < now.getTime()) return 'overdue';
  const endOfDay = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime();
  if (due < endOfDay) return 'today';
  if (due < now.getTime() + 7 * 24 * 3600 * 1000) return 'week';
  return 'later';
}

/** The tag colour of a deadline. */
export function dueColor(d: DueState | undefined): string | undefined {
  return d === 'overdue' ? 'error' : d === 'today' ? 'warning' : d === 'week' ? 'gold' : undefined;
}

/** People the workflow names (submitter, assignees, timeline actors), for the user picker. */
export function knownPeople(view: WorkflowView | undefined, tasks: Task[] = []): { id: string; name: string }[] {
  const out = new Map<string, string>();
  const add = (id: string | undefined, name: string | undefined) => {
    if (id && !out.has(id)) out.set(id, name || id);
  };
  for (const t of [...tasks, ...(view?.approval?.tasks ?? [])]) {
    add(t.assignee, t.assigneeName);
    add(t.submitter, t.submitterName);
  }
  for (const e of view?.timeline ?? []) {
    add(e.by, e.byName);
    add(e.user, e.userName);
  }
  return [...out].map(([id, name]) => ({ id, name }));
}
