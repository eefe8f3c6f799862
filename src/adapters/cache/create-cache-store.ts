import type { SystemModel } from '../../model/system-model.ts';
import type { CacheConfig, CacheEngineName, CacheStore } from './cache-store.ts';

/** `architecture.storage.cache.maxEntries` when the spec names no cache (or no bound). */
export const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * The cache engines, keyed by the names `architecture.storage.cache.engine` accepts. Each entry
 * imports its engine only when chosen.
 *
 * Today both names run the in-process memory engine: the spec's `engine` states the production
 * intent (`redis`: one cache shared by every instance), and until the Redis engine arrives
 * (issue 5, selected by `REDIS_URL` as `DATABASE_URL` selects the database) each instance keeps its
 * own cache. That is correct for one instance; with several, an instance sees another's writes
 * only when its own entries expire (their TTL), because invalidation reaches only the local cache.
 */
export const CACHE_ENGINES: Record<CacheEngineName, (config: CacheConfig) => Promise<CacheStore>> = {
  memory: async (config) => (await import('./memory/memory-cache-store.ts')).createMemoryCacheStore(config),
  redis: async (config) => (await import('./memory/memory-cache-store.ts')).createMemoryCacheStore(config),
};

/** The cache the spec asks for: its engine (default `memory`) and `maxEntries` (default 10000). */
export function cacheConfigFrom(model: SystemModel): CacheConfig {
  const cache = model.architecture.storage.cache;
  return { engine: cache?.engine ?? 'memory', maxEntries: cache?.maxEntries ?? DEFAULT_MAX_ENTRIES };
}

/**
 * Opens the cache store `config` names.
 *
 * @example
 * const store = await createCacheStore(cacheConfigFrom(model));
 */
export function createCacheStore(config: CacheConfig): Promise<CacheStore> {
  const open = CACHE_ENGINES[config.engine];
  if (!open) throw new Error(`unknown cache engine "${String(config.engine)}"; use one of ${Object.keys(CACHE_ENGINES).join(', ')}`);
  return open(config);
}
