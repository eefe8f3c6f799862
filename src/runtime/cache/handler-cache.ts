import { createMemoryCacheStore } from '../../adapters/cache/memory/memory-cache-store.ts';
import type { HandlerCache } from '../handlers/handler-context.ts';
import { handlerKey } from './cache-keys.ts';
import type { CacheMetrics } from './cache-metrics.ts';
import { GuardedCache } from './guarded-cache.ts';

/** How long a `ctx.cache.set` without a TTL keeps its value. */
export const DEFAULT_HANDLER_TTL_MS = 60_000;

/**
 * `ctx.cache` of handlers, consumers and jobs: values stored as JSON under their own namespace of
 * the server's cache store, so they share its size bound and engine with the record and answer
 * caches but never collide with them. Failures are misses: `get` resolves undefined, `set` and
 * `delete` resolve anyway (counted and logged, like every cache failure).
 *
 * @example
 * const cache = handlerCache(guarded, metrics);
 * await cache.set('rates:EUR', { usd: 1.08 }, 300_000);
 * await cache.get<{ usd: number }>('rates:EUR'); // { usd: 1.08 }
 */
export function handlerCache(cache: GuardedCache, metrics: CacheMetrics): HandlerCache {
  return {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      const text = await cache.get(handlerKey(key));
      let value: T | undefined;
      if (text !== undefined) {
        try { value = JSON.parse(text) as T; } catch { value = undefined; }
      }
      metrics.lookup('handler', value === undefined ? 'miss' : 'hit');
      return value;
    },
    async set(key: string, value: unknown, ttlMs = DEFAULT_HANDLER_TTL_MS): Promise<void> {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ctx.cache.set: ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
      const text = JSON.stringify(value);
      // JSON has no undefined (nor functions or symbols): storing one is deleting the key.
      if (text === undefined) return cache.delete(handlerKey(key));
      return cache.set(handlerKey(key), text, ttlMs);
    },
    async delete(key: string): Promise<void> {
      return cache.delete(handlerKey(key));
    },
  };
}

/**
 * A `ctx.cache` on a memory store of its own, outside any server (no metrics, failures not logged):
 * for tests and tools that run handlers, consumers or jobs without `buildServer`.
 *
 * @example
 * const services: WorkServices = { model, storage, cache: standaloneHandlerCache(), ... };
 */
export function standaloneHandlerCache(maxEntries = 10_000): HandlerCache {
  const metrics: CacheMetrics = { lookup: () => {}, error: () => {} };
  const store = createMemoryCacheStore({ engine: 'memory', maxEntries });
  return handlerCache(new GuardedCache(store, metrics, { warn: () => {} }, { distrustMs: 0 }), metrics);
}
