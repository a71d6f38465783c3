import { useEffect, useState } from 'react';
import { getPublished } from '../api/meta';
import type { FlowSpec } from './model';

const cache = new Map<string, Promise<FlowSpec | undefined>>();

/**
 * A flow's published definition, for state and trigger labels and the
 * approval's options; undefined while loading or when the caller may not
 * read flow definitions (the panel then shows keys and offers every
 * action, which the server still checks).
 */
export function loadFlow(app: string, flow: string): Promise<FlowSpec | undefined> {
  const key = `${app}/${flow}`;
  let p = cache.get(key);
  if (!p) {
    p = getPublished<FlowSpec>(app, 'flow', flow).then(
      (d) => d.spec,
      () => {
        cache.delete(key);
        return undefined;
      },
    );
    cache.set(key, p);
  }
  return p;
}

/** loadFlow as a hook. */
export function useFlow(app: string, flow: string | undefined): FlowSpec | undefined {
  const [spec, setSpec] = useState<FlowSpec>();
  useEffect(() => {
    if (!flow) return;
    let current = true;
    void loadFlow(app, flow).then((s) => current && setSpec(s));
    return () => {
      current = false;
    };
  }, [app, flow]);
  return spec;
}
