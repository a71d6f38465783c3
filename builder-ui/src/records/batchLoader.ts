/**
 * Loads values by key in batches: keys asked for in the same tick go out
 * in one call (a page of relation titles is one request, not fifty), and
 * answers are cached for the page's life. A key the batch does not return
 * resolves to undefined (missing, deleted, or outside the reader's rights).
 */
export class BatchLoader<V> {
  private cache = new Map<string, Promise<V | undefined>>();
  private queue = new Map<string, (v: V | undefined) => void>();
  private scheduled = false;

  constructor(
    private readonly fetchMany: (keys: string[]) => Promise<Map<string, V>>,
    private readonly batchSize = 100,
  ) {}

  /** The value of key, from the cache or the next batch. */
  load(key: string): Promise<V | undefined> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const p = new Promise<V | undefined>((resolve) => this.queue.set(key, resolve));
    this.cache.set(key, p);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => void this.flush());
    }
    return p;
  }

  /** Puts a value in the cache (a record just read or saved). */
  prime(key: string, value: V): void {
    this.cache.set(key, Promise.resolve(value));
  }

  /** Forgets key (after a change) or everything. */
  clear(key?: string): void {
    if (key === undefined) this.cache.clear();
    else this.cache.delete(key);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const entries = [...this.queue.entries()];
    this.queue.clear();
    for (let i = 0; i < entries.length; i += this.batchSize) {
      const batch = entries.slice(i, i + this.batchSize);
      let found: Map<string, V>;
      try {
        found = await this.fetchMany(batch.map(([k]) => k));
      } catch {
        // Failed keys are retried on the next ask rather than cached as missing.
        for (const [k, resolve] of batch) {
          this.cache.delete(k);
          resolve(undefined);
        }
        continue;
      }
      for (const [k, resolve] of batch) resolve(found.get(k));
    }
  }
}
