import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReadTarget } from '../../adapters/storage/replicas/replicated-storage.ts';
import type { ReplicaStatus } from '../../adapters/storage/replicas/replica-set.ts';
import { reuseMetric } from '../observability/storage-metrics.ts';

/**
 * Read-replica metrics: `archspec_db_reads_total{target}` (record reads outside a transaction by
 * where they were served, `primary` or `replica`), `archspec_db_replicas_usable` and
 * `archspec_db_replicas_configured`, and `archspec_db_replica_lag_bytes{replica}` (WAL bytes the
 * primary has written that the replica has not replayed, as last polled; only for replicas that
 * are up). Gauges are read at scrape time.
 *
 * @example
 * const metrics = registerReplicaMetrics(registry, () => storage.status());
 * metrics.read('replica');
 */
export function registerReplicaMetrics(registry: Registry, status: () => ReplicaStatus[]): { read(target: ReadTarget): void } {
  const reads = reuseMetric(registry, 'archspec_db_reads_total', () => new Counter({
    name: 'archspec_db_reads_total',
    help: 'Record reads made outside a transaction, by where they were served (primary or replica).',
    labelNames: ['target'] as const,
    registers: [registry],
  }));
  for (const name of ['archspec_db_replicas_usable', 'archspec_db_replicas_configured', 'archspec_db_replica_lag_bytes']) registry.removeSingleMetric(name);
  new Gauge({ name: 'archspec_db_replicas_usable', help: 'Read replicas serving reads now.', registers: [registry], collect() { this.set(status().filter((r) => r.state === 'up').length); } });
  new Gauge({ name: 'archspec_db_replicas_configured', help: 'Read replicas configured (DATABASE_REPLICA_URLS).', registers: [registry], collect() { this.set(status().length); } });
  new Gauge({
    name: 'archspec_db_replica_lag_bytes', help: 'WAL bytes written on the primary and not yet replayed by the replica, as last polled.', labelNames: ['replica'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const r of status()) if (r.lagBytes !== undefined) this.set({ replica: r.name }, r.lagBytes);
    },
  });
  return { read: (target) => reads.inc({ target }) };
}
