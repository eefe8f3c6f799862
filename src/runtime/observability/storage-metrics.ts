import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { wrapCalls } from './wrap-calls.ts';

/**
 * Database metrics: the duration and errors of every storage call, and the connection pool's
 * occupancy. Names follow Prometheus conventions (seconds, `_total` counters).
 */

/** Buckets for database calls, seconds: 0.5 ms to 5 s (queries are a fraction of a request's budget). */
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The metric named `name` in `registry`, created by `create` the first time (instrumenting twice reuses it). */
export function reuseMetric<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/**
 * Returns `storage` wrapped so that every method call (record operations, `system.*`, `ping`,
 * `migrate`, `transaction` and the calls made through a transaction) is timed into
 * `archspec_db_query_duration_seconds{operation,entity}`, and each failure (a rejected promise or
 * a throw) counted in `archspec_db_query_errors_total{operation,entity}`. `entity` is the entity
 * name for record operations and empty otherwise. The result behaves exactly like `storage`.
 *
 * @example
 * const storage = instrumentStorage(await createStorage(model, config), metrics.registry);
 */
export function instrumentStorage<T extends object>(storage: T, registry: Registry): T {
  const duration = reuseMetric(registry, 'archspec_db_query_duration_seconds', () => new Histogram({
    name: 'archspec_db_query_duration_seconds',
    help: 'Duration of storage calls in seconds, by operation and entity.',
    labelNames: ['operation', 'entity'] as const,
    buckets: QUERY_BUCKETS,
    registers: [registry],
  }));
  const errors = reuseMetric(registry, 'archspec_db_query_errors_total', () => new Counter({
    name: 'archspec_db_query_errors_total',
    help: 'Storage calls that failed, by operation and entity.',
    labelNames: ['operation', 'entity'] as const,
    registers: [registry],
  }));
  return wrapCalls(storage, (call, invoke) => {
    const labels = { operation: call.operation, entity: call.entity };
    const end = duration.startTimer(labels);
    const failed = () => { end(); errors.inc(labels); };
    let result: unknown;
    try {
      result = invoke();
    } catch (error) {
      failed();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then((value: unknown) => { end(); return value; }, (error: unknown) => { failed(); throw error; });
    }
    end();
    return result;
  });
}

/** Occupancy of a database connection pool at one moment. */
export interface PoolStats {
  /** Connections open (idle + in use). */
  total: number;
  /** Open connections not in use. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/**
 * Exposes a pool's occupancy as gauges read at scrape time: `archspec_db_pool_connections`
 * (open), `archspec_db_pool_idle_connections` and `archspec_db_pool_waiting_clients`. A pool at
 * its size with waiting clients is saturated. Calling it again replaces the stats source.
 *
 * @example
 * observePool(registry, () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
 */
export function observePool(registry: Registry, getStats: () => PoolStats): void {
  const gauges: [string, string, keyof PoolStats][] = [
    ['archspec_db_pool_connections', 'Database connections open (idle and in use).', 'total'],
    ['archspec_db_pool_idle_connections', 'Database connections open and idle.', 'idle'],
    ['archspec_db_pool_waiting_clients', 'Callers waiting for a database connection.', 'waiting'],
  ];
  for (const [name, help, key] of gauges) {
    registry.removeSingleMetric(name);
    new Gauge({ name, help, registers: [registry], collect() { this.set(getStats()[key]); } });
  }
}
