import type { MessageKey } from '../i18n/messages';
import type { DueFilter, InboxCounts, InboxQuery, InboxStatus } from '../workflow/api';

/**
 * The inbox's filters, kept in the address (?status=done&due=today&app=crm)
 * so a reload or a shared link shows the same list, and the count cards
 * that set them.
 */
export interface InboxFilters {
  status: InboxStatus;
  due?: DueFilter;
  app?: string;
  form?: string;
}

const STATUSES: readonly InboxStatus[] = ['pending', 'done', 'all'];
const DUES: readonly DueFilter[] = ['overdue', 'today', 'week'];

/** Page size of the inbox. */
export const PAGE_SIZE = 20;

/** The filters in an address; unknown values are dropped, an app from the route wins. */
export function filtersFromParams(params: URLSearchParams, routeApp?: string): InboxFilters {
  const status = params.get('status');
  const due = params.get('due');
  const out: InboxFilters = { status: STATUSES.includes(status as InboxStatus) ? (status as InboxStatus) : 'pending' };
  // A deadline only narrows tasks that still wait for someone.
  if (DUES.includes(due as DueFilter) && out.status !== 'done') out.due = due as DueFilter;
  const app = routeApp || params.get('app') || undefined;
  if (app) out.app = app;
  const form = params.get('form');
  if (app && form) out.form = form;
  return out;
}

/** The address's search params for filters (defaults left out; the route's app too). */
export function paramsFromFilters(f: InboxFilters, routeApp?: string): URLSearchParams {
  const p = new URLSearchParams();
  if (f.status !== 'pending') p.set('status', f.status);
  if (f.due && f.status !== 'done') p.set('due', f.due);
  if (f.app && f.app !== routeApp) p.set('app', f.app);
  if (f.app && f.form) p.set('form', f.form);
  return p;
}

/** The API query of one page. */
export function queryOf(f: InboxFilters, cursor?: string): InboxQuery {
  const q: InboxQuery = { status: f.status, limit: PAGE_SIZE };
  if (f.due && f.status !== 'done') q.due = f.due;
  if (f.app) q.app = f.app;
  if (f.app && f.form) q.form = f.form;
  if (cursor) q.cursor = cursor;
  return q;
}

/** One count card of the inbox. */
export interface CountCard {
  key: 'pending' | 'overdue' | 'dueToday' | 'done';
  label: MessageKey;
  value: number;
  /** The filters the card selects (app and form kept). */
  select: (f: InboxFilters) => InboxFilters;
  /** Red when it needs attention. */
  alert: boolean;
}

/** The four count cards: pending, overdue, due today and done. */
export function countCards(c: InboxCounts | undefined): CountCard[] {
  const keep = (f: InboxFilters) => {
    const out: InboxFilters = { status: 'pending' };
    if (f.app) out.app = f.app;
    if (f.app && f.form) out.form = f.form;
    return out;
  };
  return [
    { key: 'pending', label: 'inbox.count.pending', value: c?.pending ?? 0, select: keep, alert: false },
    { key: 'overdue', label: 'inbox.count.overdue', value: c?.overdue ?? 0, select: (f) => ({ ...keep(f), due: 'overdue' }), alert: (c?.overdue ?? 0) > 0 },
    { key: 'dueToday', label: 'inbox.count.dueToday', value: c?.dueToday ?? 0, select: (f) => ({ ...keep(f), due: 'today' }), alert: false },
    { key: 'done', label: 'inbox.count.done', value: c?.done ?? 0, select: (f) => ({ ...keep(f), status: 'done' }), alert: false },
  ];
}

/** The card whose filters are the current ones, if any. */
export function activeCard(f: InboxFilters): CountCard['key'] | undefined {
  if (f.status === 'done') return 'done';
  if (f.status !== 'pending') return undefined;
  if (!f.due) return 'pending';
  if (f.due === 'overdue') return 'overdue';
  if (f.due === 'today') return 'dueToday';
  return undefined;
}

/** The badge's text: the pending count, capped like a phone's badge. */
export function badgeText(c: InboxCounts | undefined): string {
  if (!c || c.pending <= 0) return '';
  return c.pending > 99 ? '99+' : String(c.pending);
}
