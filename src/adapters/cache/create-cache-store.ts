import type { SystemModel } from '../../model/system-model.ts';
import { redisNamespaceFrom, redisUrlFrom } from '../redis/redis-url.ts';
import type { CacheConfig, CacheEngineName, CacheStore } from './cache-store.ts';

/** `architecture.storage.cache.maxEntries` when the spec names no cache (or no bound). */
export const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * The cache engines, keyed by the names `architecture.storage.cache.engine` accepts. Each entry
 * imports its engine only when chosen, so a memory run never loads a Redis client.
 *
 * | engine | runs | shared by instances |
 * |---|---|---|
 * | `memory` | the in-process LRU (`memory/`) | no: each instance its own cache |
 * | `redis` with a Redis URL (`REDIS_URL`) | the Redis engine (`redis/`) | yes: one cache, invalidated everywhere at once |
 * | `redis` without a URL | the in-process LRU | no |
 *
 * The spec's `engine: redis` states the production intent; the environment decides what runs, as
 * `DATABASE_URL` does for the database (see {@link cacheConfigFrom}). Without Redis each instance
 * keeps its own cache: correct for one instance; with several, an instance sees another's writes
 * only when its own entries expire (their TTL), because invalidation reaches only the local cache.
 */
export const CACHE_ENGINES: Record<CacheEngineName, (config: CacheConfig) => Promise<CacheStore>> = {
  memory: async (config) => (await import('./memory/memory-cache-store.ts')).createMemoryCacheStore(config),
  redis: async (config) => {
    if (!config.redisUrl) return (await import('./memory/memory-cache-store.ts')).createMemoryCacheStore(config);
    const { createRedisCacheStore } = await import('./redis/redis-cache-store.ts');
    return createRedisCacheStore(config, { url: config.redisUrl, keyPrefix: config.keyPrefix ?? 'archspec:cache:' });
  },
};

/**
 * The cache the spec and the environment ask for: `REDIS_URL` set selects the `redis` engine
 * (whatever the spec's engine), with keys under `<namespace>cache:` (`redisNamespaceFrom`: by
 * default `archspec:<system name>:`); otherwise the
 * spec's engine (default `memory`), which without a URL runs in memory. `maxEntries` comes from the
 * spec (default 10000) and bounds the memory engine only.
 *
 * @throws RedisUrlError when `REDIS_URL` is set but malformed.
 * @example
 * cacheConfigFrom(model, { REDIS_URL: 'redis://cache:6379' })
 * // { engine: 'redis', maxEntries: 100000, redisUrl: 'redis://cache:6379', keyPrefix: 'archspec:linkly:cache:' }
 */
export function cacheConfigFrom(model: SystemModel, env: Record<string, string | undefined>): CacheConfig {
  const cache = model.architecture.storage.cache;
  const maxEntries = cache?.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const redisUrl = redisUrlFrom(env);
  if (redisUrl) return { engine: 'redis', maxEntries, redisUrl, keyPrefix: `${redisNamespaceFrom(env, model.system.name)}cache:` };
  return { engine: cache?.engine ?? 'memory', maxEntries };
}

/**
 * Opens the cache store `config` names.
 *
 * @example
 * const store = await createCacheStore(cacheConfigFrom(model, process.env));
 */
export function createCacheStore(config: CacheConfig): Promise<CacheStore> {
  const open = CACHE_ENGINES[config.engine];
  if (!open) throw new Error(`unknown cache engine "${String(config.engine)}"; use one of ${Object.keys(CACHE_ENGINES).join(', ')}`);
  return open(config);
}
