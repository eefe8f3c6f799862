import { AsyncLocalStorage } from 'node:async_hooks';
import { fillsResponseCache } from './request-activity.ts';

/**
 * Whether the read in progress may be stored in a cache, so it must see every committed write:
 * read replicas lag, and an entry filled from a lagging replica right after an invalidation would
 * keep the old value for its whole TTL. The storage (see ReplicatedStorage) sends such reads to
 * the primary.
 */

const filling = new AsyncLocalStorage<true>();

/** Runs `load` as a cache fill: its reads count as filling a cache ({@link isCacheFill}). */
export function asCacheFill<T>(load: () => Promise<T>): Promise<T> {
  return filling.run(true, load);
}

/** True inside a record cache's load, and while serving a request whose answer the response cache may store. */
export function isCacheFill(): boolean {
  return filling.getStore() === true || fillsResponseCache();
}
