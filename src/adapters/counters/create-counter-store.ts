import { redisNamespaceFrom, redisUrlFrom } from '../redis/redis-url.ts';
import type { CounterStore } from './counter-store.ts';

/** Names of the counter-store engines. */
export type CounterEngineName = 'memory' | 'redis';

/** Which counter store to open and how. */
export interface CounterStoreConfig {
  engine: CounterEngineName;
  /** Memory engine: most keys kept (default 100 000). */
  maxKeys?: number;
  /** Redis engine: the Redis URL (`REDIS_URL`). */
  url?: string;
  /** Redis engine: prefix of every key, e.g. `archspec:linkly:counters:`. */
  keyPrefix?: string;
}

/**
 * The counter-store engines, keyed by name. Each entry imports its engine only when chosen, so a
 * memory run never loads a Redis client. `memory` counts per process; `redis` counts once for every
 * instance (the server wraps it in a FallbackCounterStore: Redis down -> counting locally).
 */
export const COUNTER_ENGINES: Record<CounterEngineName, (config: CounterStoreConfig) => Promise<CounterStore>> = {
  memory: async (config) => new (await import('./memory/memory-counter-store.ts')).MemoryCounterStore({ maxKeys: config.maxKeys }),
  redis: async (config) => {
    if (!config.url) throw new Error('the redis counter store needs a url (REDIS_URL)');
    return (await import('./redis/redis-counter-store.ts')).createRedisCounterStore({ url: config.url, ...(config.keyPrefix ? { keyPrefix: config.keyPrefix } : {}) });
  },
};

/**
 * The counter store the environment selects: `redis` when `REDIS_URL` is set (counts shared by
 * every instance), with keys under `<namespace>counters:` (`redisNamespaceFrom`: by default
 * `archspec:<system name>:`; `archspec:` when no system is named), otherwise `memory` (counts per process).
 *
 * @throws RedisUrlError when `REDIS_URL` is set but malformed.
 * @example
 * counterStoreConfigFrom(process.env, 'Linkly') // { engine: 'memory' }
 * counterStoreConfigFrom({ REDIS_URL: 'redis://cache:6379' }, 'Linkly')
 * // { engine: 'redis', url: 'redis://cache:6379', keyPrefix: 'archspec:linkly:counters:' }
 */
export function counterStoreConfigFrom(env: Record<string, string | undefined>, systemName?: string): CounterStoreConfig {
  const url = redisUrlFrom(env);
  if (!url) return { engine: 'memory' };
  const namespace = systemName === undefined ? env.ARCHSPEC_REDIS_PREFIX?.trim() || 'archspec:' : redisNamespaceFrom(env, systemName);
  return { engine: 'redis', url, keyPrefix: `${namespace}counters:` };
}

/**
 * Opens the counter store `config` names.
 *
 * @example
 * const counters = await createCounterStore(counterStoreConfigFrom(process.env));
 */
export function createCounterStore(config: CounterStoreConfig): Promise<CounterStore> {
  const open = COUNTER_ENGINES[config.engine];
  if (!open) throw new Error(`unknown counter store engine "${String(config.engine)}"; use one of ${Object.keys(COUNTER_ENGINES).join(', ')}`);
  return open(config);
}
