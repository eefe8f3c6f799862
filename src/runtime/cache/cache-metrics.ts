import { Counter, type Registry } from 'prom-client';
import { reuseMetric } from '../observability/storage-metrics.ts';

/** Which cache a lookup went to: GET answers, records read by id, or a handler's `ctx.cache`. */
export type CacheKind = 'response' | 'record' | 'handler';

/** A cache store operation, as counted when it fails. */
export type CacheOperation = 'get' | 'set' | 'delete' | 'bump' | 'versions';

/** The counters the caching runtime reports into. */
export interface CacheMetrics {
  lookup(cache: CacheKind, result: 'hit' | 'miss'): void;
  error(operation: CacheOperation): void;
}

/**
 * Registers the cache metrics in `registry` (the spec's `cache-hit-ratio` is
 * `rate(..._requests_total{result="hit"}) / rate(..._requests_total)`):
 * `archspec_cache_requests_total{cache,result}`, `archspec_cache_errors_total{operation}` and
 * `archspec_cache_evictions_total` (entries dropped for space, read from the store at each scrape).
 *
 * @example
 * const metrics = registerCacheMetrics(registry, () => store.evictions());
 * metrics.lookup('record', 'hit');
 */
export function registerCacheMetrics(registry: Registry, evictions: () => Promise<number>): CacheMetrics {
  const requests = reuseMetric(registry, 'archspec_cache_requests_total', () => new Counter({
    name: 'archspec_cache_requests_total',
    help: 'Cache lookups by cache (response, record, handler) and result (hit, miss); a failed lookup is a miss.',
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
  }));
  const errors = reuseMetric(registry, 'archspec_cache_errors_total', () => new Counter({
    name: 'archspec_cache_errors_total',
    help: 'Cache store operations that failed (the request went on against the database), by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
  }));
  // The store counts its own evictions; each scrape adds what it dropped since the last one.
  let reported = 0;
  registry.removeSingleMetric('archspec_cache_evictions_total');
  new Counter({
    name: 'archspec_cache_evictions_total',
    help: 'Cache entries evicted to stay within architecture.storage.cache.maxEntries.',
    registers: [registry],
    async collect() {
      // A store that cannot say (down, or throwing at once) leaves the counter where it was.
      const total = await Promise.resolve().then(evictions).catch(() => reported);
      if (total > reported) this.inc(total - reported);
      reported = Math.max(reported, total);
    },
  });
  for (const cache of ['response', 'record', 'handler'] as const) for (const result of ['hit', 'miss'] as const) requests.inc({ cache, result }, 0);
  for (const operation of ['get', 'set', 'delete', 'bump', 'versions'] as const) errors.inc({ operation }, 0);
  return {
    lookup: (cache, result) => requests.inc({ cache, result }),
    error: (operation) => errors.inc({ operation }),
  };
}
