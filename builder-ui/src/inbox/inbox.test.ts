import { describe, expect, it } from 'vitest';
import type { ApprovalView, Task, WorkflowView } from '../workflow/api';
import { approvalActions, dueState, knownPeople, stateLabelOf, type FlowSpec } from '../workflow/model';
import { activeCard, badgeText, countCards, filtersFromParams, paramsFromFilters, queryOf } from './model';

const counts = { pending: 7, overdue: 2, dueToday: 3, done: 11 };

describe('inbox counts', () => {
  it('shows the four counts, overdue in red when any', () => {
    const cards = countCards(counts);
    expect(cards.map((c) => [c.key, c.value, c.alert])).toEqual([
      ['pending', 7, false],
      ['overdue', 2, true],
      ['dueToday', 3, false],
      ['done', 11, false],
    ]);
    expect(countCards({ ...counts, overdue: 0 })[1]!.alert).toBe(false);
    expect(countCards(undefined).map((c) => c.value)).toEqual([0, 0, 0, 0]);
  });

  it('selects filters from a card, keeping the app and form, and knows the active card', () => {
    const base = { status: 'all' as const, due: 'week' as const, app: 'crm', form: 'upgrades' };
    const [pending, overdue, today, done] = countCards(counts);
    expect(pending!.select(base)).toEqual({ status: 'pending', app: 'crm', form: 'upgrades' });
    expect(overdue!.select(base)).toEqual({ status: 'pending', due: 'overdue', app: 'crm', form: 'upgrades' });
    expect(today!.select({ status: 'done' })).toEqual({ status: 'pending', due: 'today' });
    expect(done!.select(base)).toEqual({ status: 'done', app: 'crm', form: 'upgrades' });
    for (const c of countCards(counts)) expect(activeCard(c.select(base))).toBe(c.key);
    expect(activeCard({ status: 'pending', due: 'week' })).toBeUndefined();
    expect(activeCard({ status: 'all' })).toBeUndefined();
  });

  it('caps the badge text and hides it with nothing pending', () => {
    expect(badgeText(counts)).toBe('7');
    expect(badgeText({ ...counts, pending: 150 })).toBe('99+');
    expect(badgeText({ ...counts, pending: 0 })).toBe('');
    expect(badgeText(undefined)).toBe('');
  });
});

describe('inbox filters', () => {
  it('reads the address, dropping unknown values and deadlines on done tasks', () => {
    expect(filtersFromParams(new URLSearchParams('status=done&due=today&app=crm&form=upgrades'))).toEqual({ status: 'done', app: 'crm', form: 'upgrades' });
    expect(filtersFromParams(new URLSearchParams('status=maybe&due=yesterday&form=x'))).toEqual({ status: 'pending' });
    expect(filtersFromParams(new URLSearchParams('due=overdue&app=other'), 'crm')).toEqual({ status: 'pending', due: 'overdue', app: 'crm' });
  });

  it('writes the address without defaults or the route app, and builds the query', () => {
    expect(paramsFromFilters({ status: 'pending' }).toString()).toBe('');
    expect(paramsFromFilters({ status: 'all', due: 'week', app: 'crm', form: 'upgrades' }, 'crm').toString()).toBe('status=all&due=week&form=upgrades');
    expect(queryOf({ status: 'done', due: 'today', app: 'crm' }, 'c1')).toEqual({ status: 'done', limit: 20, app: 'crm', cursor: 'c1' });
    expect(queryOf({ status: 'pending', due: 'overdue', form: 'x' })).toEqual({ status: 'pending', limit: 20, due: 'overdue' });
  });
});

describe('deadlines', () => {
  const now = new Date('2026-11-18T10:00:00+08:00');
  const task = (dueAt: string | undefined, extra: Partial<Task> = {}) => ({ status: 'pending' as const, dueAt, ...extra });

  it('says how close a pending task deadline is in the user zone', () => {
    expect(dueState(task('2026-11-18T09:59:59+08:00'), now)).toBe('overdue');
    expect(dueState(task('2026-11-18T23:59:00+08:00'), now)).toBe('today');
    expect(dueState(task('2026-11-19T00:00:00+08:00'), now)).toBe('week');
    expect(dueState(task('2026-11-26T00:00:00+08:00'), now)).toBe('later');
    expect(dueState(task('2026-12-01T00:00:00+08:00', { overdue: true }), now)).toBe('overdue');
    expect(dueState(task(undefined), now)).toBeUndefined();
    expect(dueState(task('garbage'), now)).toBeUndefined();
    expect(dueState({ status: 'approved', dueAt: '2026-11-01T00:00:00Z' }, now)).toBeUndefined();
  });
});

describe('workflow panel', () => {
  const flow: FlowSpec = {
    form: 'upgrades',
    states: [
      { key: 'draft', label: { 'zh-CN': '草稿', en: 'Draft' } },
      { key: 'review', type: 'approval', approval: { delegate: false } },
    ],
    transitions: [],
  };
  const ap: ApprovalView = { state: 'review', mode: 'sequential', round: 1, step: 1, steps: 2, submitter: 'u1', returnTo: [], canWithdraw: false, tasks: [] };

  it('offers the assignee decisions the approval allows and the submitter withdraw', () => {
    expect(approvalActions(undefined, flow)).toEqual([]);
    expect(approvalActions(ap, flow)).toEqual([]);
    expect(approvalActions({ ...ap, myTask: 't1' }, flow)).toEqual(['approve', 'reject', 'add-signer']);
    expect(approvalActions({ ...ap, myTask: 't1', step: 2 }, undefined)).toEqual(['approve', 'reject', 'return', 'delegate', 'add-signer']);
    expect(approvalActions({ ...ap, myTask: 't1', mode: 'any', returnTo: ['draft'] }, flow)).toEqual(['approve', 'reject', 'return', 'add-signer']);
    expect(approvalActions({ ...ap, canWithdraw: true }, flow)).toEqual(['withdraw']);
  });

  it('labels states from the view, the flow, or their key', () => {
    const view = { state: 'review', stateLabel: '审批中' } as Pick<WorkflowView, 'state' | 'stateLabel'>;
    expect(stateLabelOf('review', view, flow)).toBe('审批中');
    expect(stateLabelOf('draft', view, flow)).toEqual({ 'zh-CN': '草稿', en: 'Draft' });
    expect(stateLabelOf('gone', view, flow)).toBe('gone');
    expect(stateLabelOf(undefined, view, flow)).toBe('');
  });

  it('collects the people a workflow names once each', () => {
    const view = {
      approval: { ...ap, tasks: [{ assignee: 'm1', assigneeName: '店长', submitter: 'u1', submitterName: '店员' } as Task] },
      timeline: [{ by: 'u1', byName: '店员' }, { by: 'm1', user: 'r1', userName: '区域经理' }],
    } as unknown as WorkflowView;
    expect(knownPeople(view)).toEqual([
      { id: 'm1', name: '店长' },
      { id: 'u1', name: '店员' },
      { id: 'r1', name: '区域经理' },
    ]);
  });
});
