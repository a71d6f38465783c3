import { Flex, Spin } from 'antd';
import { lazy, Suspense, type ComponentType } from 'react';

/**
 * lazyPage wraps a page that loads on first use, in a chunk of its own
 * (tables, charts, designers), so the shell a user signs in to stays
 * small. A spinner shows while the chunk loads.
 */
export function lazyPage(load: () => Promise<ComponentType>): ComponentType {
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
