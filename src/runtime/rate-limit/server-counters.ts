import type { FastifyBaseLogger } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { CounterStore } from '../../adapters/counters/counter-store.ts';
import { counterStoreConfigFrom, createCounterStore } from '../../adapters/counters/create-counter-store.ts';
import { FallbackCounterStore } from '../../adapters/counters/fallback-counter-store.ts';
import { reuseMetric } from '../observability/storage-metrics.ts';

/** The counter store a server counts in, and whether the server opened it (and so closes it). */
export interface ServerCounters {
  counters: CounterStore;
  owned: boolean;
}

/**
 * The server's counter store: `given` (tests, or a store the CLI opened) or the one the environment
 * selects (`REDIS_URL`: Redis, keys in the namespace of `systemName`). A store that is not local
 * (Redis) is wrapped in a {@link FallbackCounterStore}, so when it fails the server keeps limiting in local memory; each failure is logged and counted in
 * `archspec_counter_store_failures_total{engine,operation}`.
 *
 * @example
 * const { counters } = await openServerCounters(deps.counters, { registry: metrics.registry, log: app.log, env: process.env });
 */
export async function openServerCounters(
  given: CounterStore | undefined,
  options: { registry: Registry; log: FastifyBaseLogger; env: Record<string, string | undefined>; systemName?: string },
): Promise<ServerCounters> {
  const primary = given ?? (await createCounterStore(counterStoreConfigFrom(options.env, options.systemName)));
  if (primary.local) return { counters: primary, owned: given === undefined };
  const failures = reuseMetric(options.registry, 'archspec_counter_store_failures_total', () => new Counter({
    name: 'archspec_counter_store_failures_total',
    help: 'Failed or timed-out operations of the shared counter store (rate limits, login throttle); the server counted locally instead.',
    labelNames: ['engine', 'operation'] as const,
    registers: [options.registry],
  }));
  const counters = new FallbackCounterStore(primary, {
    onFailure: (err, operation) => {
      failures.inc({ engine: primary.engine, operation });
      options.log.warn({ err, engine: primary.engine, operation }, `counter store ${primary.engine} failed (${operation}); counting in this process's memory`);
    },
    onModeChange: (mode) => {
      if (mode === 'local') options.log.error({ engine: primary.engine }, `counter store ${primary.engine} keeps failing: rate limits count per instance until it recovers`);
      else options.log.info({ engine: primary.engine }, `counter store ${primary.engine} recovered: rate limits count in it again`);
    },
  });
  return { counters, owned: given === undefined };
}
