import { Flex, Spin } from 'antd';
import { lazy, Suspense, type ComponentType } from 'react';

/**
 * Dashboards, reports and the inbox load on first use in chunks of their
 * own: ECharts and the grid stay out of the shell a user signs in to.
 */
function onDemand(load: () => Promise<ComponentType>): ComponentType {
  const Inner = lazy(() => load().then((c) => ({ default: c })));
  return function OnDemand() {
    return (
      <Suspense
        fallback={
          <Flex justify="center" style={{ padding: 48 }}>
            <Spin />
          </Flex>
        }
      >
        <Inner />
      </Suspense>
    );
  };
}

export const DashboardPage = onDemand(() => import('./DashboardPage').then((m) => m.DashboardPage));
export const ReportPage = onDemand(() => import('./ReportPage').then((m) => m.ReportPage));
export const InboxPage = onDemand(() => import('../inbox/InboxPage').then((m) => m.InboxPage));
export const InboxShell = onDemand(() => import('../inbox/InboxShell').then((m) => m.InboxShell));
