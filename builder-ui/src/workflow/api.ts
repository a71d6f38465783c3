import { api } from '../api/client';
import type { LocalizedText } from '../api/types';

/**
 * The workflow and task API (server/api/workflow.go and tasks.go): a
 * record's workflow view, firing transitions, withdrawing, the caller's
 * task inbox and the decisions on a task. The server applies every right;
 * the UI only offers what the view says the caller may do.
 */

const seg = encodeURIComponent;

/** Approval modes: any one approver, all of them, or one step after another. */
export type ApprovalMode = 'any' | 'all' | 'sequential';

/** What happened to a task. */
export type TaskStatus = 'pending' | 'approved' | 'rejected' | 'returned' | 'delegated' | 'escalated' | 'withdrawn' | 'cancelled';

/** One user's part in one step of an approval (the Task schema). */
export interface Task {
  id: string;
  app: string;
  form: string;
  record: string;
  /** The record's title field. */
  title?: string;
  flow: string;
  version: number;
  state: string;
  stateLabel?: LocalizedText;
  round: number;
  /** 1-based. */
  step: number;
  mode: ApprovalMode;
  assignee: string;
  assigneeName?: string;
  status: TaskStatus;
  submitter?: string;
  submitterName?: string;
  createdAt: string;
  /** The SLA deadline, counted in working hours. */
  dueAt?: string;
  remindAt?: string;
  reminded?: boolean;
  overdue?: boolean;
  escalations?: number;
  delegatedFrom?: string;
  delegatedTo?: string;
  addedBy?: string;
  decidedAt?: string;
  decidedBy?: string;
  comment?: string;
  attachments?: string[];
}

/** A transition the caller may fire now. */
export interface AvailableTransition {
  trigger: string;
  to: string;
  label?: LocalizedText;
  /** Whether firing it asks for a comment. */
  comment?: 'none' | 'optional' | 'required';
}

/** The open approval of a record. */
export interface ApprovalView {
  state: string;
  mode: ApprovalMode;
  round: number;
  step: number;
  steps: number;
  submitter: string;
  submitterName?: string;
  from?: string;
  /** The states the record may be returned to. */
  returnTo: string[];
  canWithdraw: boolean;
  /** The caller's pending task of this approval. */
  myTask?: string;
  tasks: Task[];
}

/** Kinds of timeline entries. */
export type EntryKind = 'transition' | 'approve' | 'reject' | 'return' | 'delegate' | 'add_signer' | 'withdraw' | 'remind' | 'overdue' | 'escalate';

/** One line of a record's workflow timeline. */
export interface TimelineEntry {
  id: string;
  kind: EntryKind;
  at: string;
  by: string;
  byName?: string;
  flow: string;
  version: number;
  trigger?: string;
  from?: string;
  to?: string;
  state?: string;
  task?: string;
  step?: number;
  user?: string;
  userName?: string;
  comment?: string;
  attachments?: string[];
}

/** A record's workflow as the caller sees it. */
export interface WorkflowView {
  flow: string;
  version: number;
  title?: LocalizedText;
  state: string;
  stateLabel?: LocalizedText;
  stateType: 'normal' | 'approval' | 'final';
  started: boolean;
  finished: boolean;
  transitions: AvailableTransition[];
  approval?: ApprovalView;
  timeline: TimelineEntry[];
}

/** A comment and files uploaded for the record's form. */
export interface WorkflowInput {
  comment?: string;
  attachments?: string[];
}

function recordBase(app: string, form: string, id: string): string {
  return `/api/apps/${seg(app)}/forms/${seg(form)}/records/${seg(id)}`;
}

/** Drops empty parts so the server sees only what the user gave. */
function body(input: object): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    if (typeof v === 'string' && v.trim() === '') continue;
    out[k] = typeof v === 'string' ? v.trim() : v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A record's workflow (404 workflow.not_found when its form has no published flow). */
export function getWorkflow(app: string, form: string, id: string): Promise<WorkflowView> {
  return api.get<WorkflowView>(`${recordBase(app, form, id)}/workflow`);
}

/** Fires a transition; answers the workflow after it. */
export function fireTransition(app: string, form: string, id: string, trigger: string, input: WorkflowInput = {}): Promise<WorkflowView> {
  return api.post<WorkflowView>(`${recordBase(app, form, id)}/transitions/${seg(trigger)}`, body(input));
}

/** Takes the record back out of its open approval (the submitter only). */
export function withdraw(app: string, form: string, id: string, input: WorkflowInput = {}): Promise<WorkflowView> {
  return api.post<WorkflowView>(`${recordBase(app, form, id)}/workflow/withdraw`, body(input));
}

/** Which tasks an inbox lists. */
export type InboxStatus = 'pending' | 'done' | 'all';

/** Deadlines an inbox can narrow to. */
export type DueFilter = 'overdue' | 'today' | 'week';

/** The caller's whole inbox, whatever the filters. */
export interface InboxCounts {
  pending: number;
  overdue: number;
  dueToday: number;
  done: number;
}

/** One page of the inbox. */
export interface TaskPage {
  tasks: Task[];
  next?: string;
  counts: InboxCounts;
}

/** What an inbox page asks for (GET /api/tasks). */
export interface InboxQuery {
  status?: InboxStatus;
  app?: string;
  form?: string;
  due?: DueFilter;
  limit?: number;
  cursor?: string;
}

/** A page of the caller's tasks, newest first, with the counts of the whole inbox. */
export function listTasks(q: InboxQuery = {}, signal?: AbortSignal): Promise<TaskPage> {
  const query: Record<string, string | number | undefined> = {
    status: q.status,
    app: q.app || undefined,
    form: q.form || undefined,
    due: q.due,
    limit: q.limit,
    cursor: q.cursor || undefined,
  };
  return api.get<TaskPage>('/api/tasks', signal ? { query, signal } : { query });
}

/** The decisions a task's assignee can take. */
export type Decision = 'approve' | 'reject' | 'return' | 'delegate' | 'add-signer';

/** A decision's body: a comment and files, and for some a target. */
export interface DecisionInput extends WorkflowInput {
  /** return: the state to send the record back to. */
  to?: string;
  /** return: an earlier step of a sequential approval instead. */
  step?: number;
  /** delegate and add-signer: the user's id. */
  user?: string;
}

/** Decides a task; answers the task after it (409 workflow.task_closed when someone was first). */
export function decide(taskId: string, decision: Decision, input: DecisionInput = {}): Promise<Task> {
  return api.post<Task>(`/api/tasks/${seg(taskId)}/${decision}`, body(input));
}
