import { lazyPage } from '../layout/lazyPage';

// Pages load on first use, each in its own chunk (see lazyPage).
export const DashboardPage = lazyPage(() => import('./DashboardPage').then((m) => m.DashboardPage));
export const ReportPage = lazyPage(() => import('./ReportPage').then((m) => m.ReportPage));
export const InboxPage = lazyPage(() => import('../inbox/InboxPage').then((m) => m.InboxPage));
export const InboxShell = lazyPage(() => import('../inbox/InboxShell').then((m) => m.InboxShell));
