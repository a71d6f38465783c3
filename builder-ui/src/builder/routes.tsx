import { Flex, Spin } from 'antd';
import { lazy, Suspense, type ComponentType } from 'react';

/**
 * The builder loads on first use, in its own chunks (dnd-kit, React Flow,
 * the grid layout), so the runtime pages stay small.
 */
function lazyPage(load: () => Promise<ComponentType>): ComponentType {
  const Page = lazy(async () => ({ default: await load() }));
  return function LazyBuilderPage() {
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

export const BuilderHomePage = lazyPage(() => import('./BuilderHome').then((m) => m.BuilderHome));
export const BuilderDesignerPage = lazyPage(() => import('./DesignerPage').then((m) => m.DesignerPage));
