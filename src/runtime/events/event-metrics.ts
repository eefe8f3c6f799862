import { Counter, Gauge, type Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { EventTransport } from '../../adapters/broker/event-transport.ts';
import { reuseMetric } from '../observability/storage-metrics.ts';
import type { DeliveryOutcome } from './event-dispatcher.ts';
import { outboxBacklog } from './outbox.ts';

interface Snapshot {
  outboxPending: number;
  lagSeconds: number;
  dead: number;
}

/**
 * The events metrics in `registry`: `archspec_outbox_pending` (outbox rows the relay has not
 * published), `archspec_outbox_lag_seconds` (age of the oldest event not yet delivered to every
 * consumer: unpublished, or published with a delivery still pending; dead letters are counted
 * apart, in `archspec_dead_letters`), and the counter
 * `archspec_event_deliveries_total{consumer,outcome}` (outcome: delivered, retried, dead). The
 * gauges are read at each scrape with two aggregate queries; if the database does not answer they
 * keep their last values. Returns the function that counts one delivery outcome.
 *
 * @example
 * const count = registerEventMetrics(registry, storage.kysely, transport, ['analytics']);
 * count('analytics', 'delivered');
 */
export function registerEventMetrics(registry: Registry, db: Kysely<any>, transport: EventTransport, consumers: readonly string[]): (consumer: string, outcome: DeliveryOutcome) => void {
  // A scrape collects the three gauges at once: they share the reading in progress.
  let reading: Promise<Snapshot> | undefined;
  let current: Snapshot = { outboxPending: 0, lagSeconds: 0, dead: 0 };
  const read = async (): Promise<Snapshot> => {
    reading ??= snapshot(db, transport).finally(() => { reading = undefined; });
    try {
      current = await reading;
    } catch {
      // The database did not answer: serve the last values, read again at the next scrape.
    }
    return current;
  };
  const gauge = (name: string, help: string, pick: (s: Snapshot) => number) => reuseMetric(registry, name, () => new Gauge({
    name, help, registers: [registry],
    async collect() {
      this.set(pick(await read()));
    },
  }));
  gauge('archspec_outbox_pending', 'Events in the transactional outbox not yet published to the event transport.', (s) => s.outboxPending);
  gauge('archspec_outbox_lag_seconds', 'Age in seconds of the oldest event not yet delivered to every consumer (0 when none is waiting; dead letters excluded).', (s) => s.lagSeconds);
  gauge('archspec_dead_letters', 'Event deliveries parked as dead letters after their last attempt (archspec events redrive makes them pending again).', (s) => s.dead);
  const deliveries = reuseMetric(registry, 'archspec_event_deliveries_total', () => new Counter({
    name: 'archspec_event_deliveries_total',
    help: 'Event deliveries handled, by consumer (component) and outcome: delivered, retried (failed, will run again) or dead (failed for the last time).',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
  }));
  // Every series exists from the start, so rate() and alerts see a zero before the first failure.
  for (const consumer of consumers) for (const outcome of ['delivered', 'retried', 'dead'] as const) deliveries.inc({ consumer, outcome }, 0);
  return (consumer, outcome) => deliveries.inc({ consumer, outcome });
}

async function snapshot(db: Kysely<any>, transport: EventTransport): Promise<Snapshot> {
  const [backlog, stats] = await Promise.all([outboxBacklog(db), transport.stats()]);
  const oldest = [backlog.oldestCreatedAt, stats.oldestPendingEmittedAt].filter((t): t is string => t !== undefined).sort()[0];
  return {
    outboxPending: backlog.pending,
    lagSeconds: oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0,
    dead: stats.dead,
  };
}
