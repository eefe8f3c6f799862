import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { SystemModel } from '../../model/system-model.ts';
import type { Storage } from '../../adapters/storage/storage.ts';
import type { CacheStore } from '../../adapters/cache/cache-store.ts';
import { cacheConfigFrom, createCacheStore } from '../../adapters/cache/create-cache-store.ts';
import type { HandlerCache } from '../handlers/handler-context.ts';
import { registerCacheMetrics } from './cache-metrics.ts';
import { cachePolicy } from './cache-policy.ts';
import { cachingStorage } from './caching-storage.ts';
import { GuardedCache, type CacheLog } from './guarded-cache.ts';
import { handlerCache } from './handler-cache.ts';
import { Invalidation } from './invalidation.ts';
import { RecordCache } from './record-cache.ts';
import { registerResponseCache } from './response-cache.ts';

/** The caching of one server, built by {@link createCaching}. */
export interface Caching {
  /**
   * `storage` with record read-through and invalidation on every committed write (see
   * caching-storage.ts); `storage` itself when the spec caches nothing by TTL. Wrap last, so every
   * writer goes through it.
   */
  wrapStorage(storage: Storage): Storage;
  /** Adds the response cache's route hooks (see response-cache.ts); call before routes are registered. */
  registerResponseCache(app: FastifyInstance): void;
  /** `ctx.cache` for handlers, consumers and jobs. */
  handlerCache: HandlerCache;
  /** Closes the store when this server opened it (an injected store belongs to its owner). */
  close(): Promise<void>;
}

/** What {@link createCaching} needs besides the model. */
export interface CachingOptions {
  /** The store to use (tests inject one); default: the engine the spec names (`createCacheStore`). */
  store?: CacheStore;
  /** The server's metrics registry. */
  registry: Registry;
  log: CacheLog;
  /** Where `REDIS_URL` is read (it selects the Redis engine; see `cacheConfigFrom`). Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Everything `archspec serve` caches, on one store: records of entities with a TTL in
 * `scalability.cache`, answers of GET endpoints with a TTL, and `ctx.cache`. Cache failures never
 * fail a request: they are misses, counted in `archspec_cache_errors_total` and logged.
 *
 * @example
 * const caching = await createCaching(model, { registry: metrics.registry, log: app.log });
 * storage = caching.wrapStorage(storage);
 * caching.registerResponseCache(app);
 */
export async function createCaching(model: SystemModel, options: CachingOptions): Promise<Caching> {
  const store = options.store ?? await createCacheStore(cacheConfigFrom(model, options.env ?? process.env));
  const policy = cachePolicy(model, { remote: store.engine !== 'memory' });
  const metrics = registerCacheMetrics(options.registry, () => store.evictions());
  const guarded = new GuardedCache(store, metrics, options.log, { distrustMs: policy.longestTtlMs });
  return {
    wrapStorage: (storage) => policy.cachesAnything
      ? cachingStorage(storage, { model, policy, records: new RecordCache(guarded, metrics), invalidation: new Invalidation(model, guarded) })
      : storage,
    registerResponseCache: (app) => registerResponseCache(app, { model, policy, cache: guarded, metrics }),
    handlerCache: handlerCache(guarded, metrics),
    close: async () => {
      guarded.close();
      if (!options.store) await store.close();
    },
  };
}
