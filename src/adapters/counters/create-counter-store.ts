import type { CounterStore } from './counter-store.ts';

/** Names of the counter-store engines. */
export type CounterEngineName = 'memory';

/** Which counter store to open and how. */
export interface CounterStoreConfig {
  engine: CounterEngineName;
  /** Memory engine: most keys kept (default 100 000). */
  maxKeys?: number;
}

/**
 * The counter-store engines, keyed by name. Each entry imports its engine only when chosen, so a
 * memory run never loads a Redis client. Issue 5 adds `redis` (selected by `REDIS_URL`).
 */
export const COUNTER_ENGINES: Record<CounterEngineName, (config: CounterStoreConfig) => Promise<CounterStore>> = {
  memory: async (config) => new (await import('./memory/memory-counter-store.ts')).MemoryCounterStore({ maxKeys: config.maxKeys }),
};

/**
 * The counter store the environment selects: today always the memory engine (counts per process).
 * Issue 5 reads `REDIS_URL` here to share counts between instances.
 *
 * @example
 * counterStoreConfigFrom(process.env) // { engine: 'memory' }
 */
export function counterStoreConfigFrom(_env: Record<string, string | undefined>): CounterStoreConfig {
  return { engine: 'memory' };
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
