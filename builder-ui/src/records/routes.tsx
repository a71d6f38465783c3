import { Flex, Spin } from 'antd';
import { lazy, Suspense, type ComponentType } from 'react';

/**
 * The record pages load on first use, in their own chunks (tables, date
 * pickers, uploads, the calendar), so the shell a user signs in to stays
 * small.
 */
function lazyPage(load: () => Promise<ComponentType>): ComponentType {
  const Page = lazy(async () => ({ default: await load() }));
  return function LazyPage() {
    return (
      <Suspense
        fallback={
          <Flex justify="center" style={{ padding: 48 }}>
            <Spin />
          </Flex>
        }
      >
        <Page />
      </Suspense>
    );
  };
}

export const ListPage = lazyPage(() => import('./list/ListPage').then((m) => m.ListPage));
export const RecordFormPage = lazyPage(() => import('./form/RecordFormPage').then((m) => m.RecordFormPage));
export const RecordDetailPage = lazyPage(() => import('./detail/RecordDetailPage').then((m) => m.RecordDetailPage));
