import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createEventTransport, eventTransportConfigFrom } from '../../adapters/broker/create-event-transport.ts';
import type { EventTransport, Subscription } from '../../adapters/broker/event-transport.ts';
import type { WorkServices } from '../handlers/work-context.ts';
import type { EventConsumer } from './event-consumers.ts';
import { EventDispatcher } from './event-dispatcher.ts';
import { registerEventMetrics } from './event-metrics.ts';
import type { Outbox } from './outbox.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { PollLoop } from './poll-loop.ts';
import { pruneProcessed } from './processed-keys.ts';

/** `ServerDeps.events`: how this server relays and delivers events. Every field is optional. */
export interface EventOptions {
  /** How often the relay and the dispatcher look for work when nothing woke them (default 250 ms). */
  pollIntervalMs?: number;
  /** Attempts before a delivery becomes a dead letter (default 8). */
  maxAttempts?: number;
  /** Delay before the first retry, doubling each time up to `backoffMaxMs` (default 5 s). */
  backoffBaseMs?: number;
  /** Longest delay between attempts (default 5 minutes). */
  backoffMaxMs?: number;
  /**
   * Relay the outbox and run consumers in this process (default true). False: requests still
   * write events to the outbox, and they wait there for a process that dispatches
   * (`ARCHSPEC_EVENTS_DISPATCH=off` for `archspec serve`).
   */
  dispatch?: boolean;
  /**
   * Deliveries claimed and handled at once. Default 16 on SQLite (its transactions run one at a
   * time anyway; the number sets how many deliveries one claim takes, and 4 could not keep up with
   * a saturated create endpoint), 4 on PostgreSQL (each running delivery holds a pool connection).
   */
  concurrency?: number;
  /** How long a delivery is leased to this process before another may take it (default 30 s). */
  leaseMs?: number;
  /** How long delivered events, published outbox rows and consumers' processed keys are kept (default 7 days). */
  retainMs?: number;
  /** On close, how long to wait for deliveries in progress (default 5 s). */
  drainMs?: number;
}

const DEFAULTS = {
  pollIntervalMs: 250, maxAttempts: 8, backoffBaseMs: 5_000, backoffMaxMs: 300_000,
  leaseMs: 30_000, retainMs: 7 * 24 * 3_600_000, drainMs: 5_000,
} satisfies Required<Omit<EventOptions, 'dispatch' | 'concurrency'>>;
/**
 * How long a nudge (a commit that emitted, a finished delivery) waits for others before the relay
 * or dispatcher runs: under load, events then move in batches (one publish and one claim for many)
 * instead of one round per commit; when idle it only delays delivery by this much.
 */
const NUDGE_COALESCE_MS = 5;
/** How often old delivered events are pruned. */
const PRUNE_EVERY_MS = 3_600_000;

/** What {@link registerEvents} needs from the server. */
export interface EventsDeps {
  outbox: Outbox;
  services: WorkServices;
  consumers: readonly EventConsumer[];
  /**
   * Every consumer of the system, which the relay publishes each event to (default: `consumers`).
   * A process running some components only (`serve --component`) runs their consumers but must
   * still publish to all: an event published with fewer subscribers would never reach the others.
   */
  subscriptions?: readonly Subscription[];
  registry: Registry;
  options?: EventOptions;
  /** The server's environment: `NATS_URL` selects NATS JetStream as the transport (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Wires event delivery into `app`: the transport (the database itself, or NATS JetStream when
 * `NATS_URL` is set: see `eventTransportConfigFrom`), the outbox relay and the dispatcher, each on
 * a poll loop started when the server is ready (`onReady`) and
 * woken early by every commit that may have emitted (`outbox.afterCommit()`); stopped on close,
 * waiting up to `drainMs` for deliveries in progress. Registers the events metrics either way.
 * Returns the transport.
 *
 * @example
 * const outbox = new Outbox(model);
 * await registerEvents(app, { outbox, services, consumers, registry: metrics.registry, options: deps.events });
 */
export async function registerEvents(app: FastifyInstance, deps: EventsDeps): Promise<EventTransport> {
  const concurrency = deps.services.storage.engine === 'sqlite' ? 16 : 4;
  const options = { ...DEFAULTS, concurrency, ...definedOf(deps.options ?? {}) };
  const db = deps.services.storage.kysely;
  const selected = eventTransportConfigFrom(deps.env ?? process.env);
  const transport = await createEventTransport(selected.engine, {
    db, dialect: deps.services.storage.engine, subscriptions: deps.subscriptions ?? deps.consumers, leaseMs: options.leaseMs,
    system: deps.services.model.system.name, retainMs: options.retainMs, ...(selected.engine === 'nats' ? { url: selected.url } : {}),
  });
  const count = registerEventMetrics(deps.registry, db, transport, [...new Set(deps.consumers.map((c) => c.consumer))]);
  if (deps.options?.dispatch === false) {
    app.log.info('event dispatch is off in this process: emitted events wait in the outbox');
    app.addHook('onClose', async () => { await transport.close?.(); });
    return transport;
  }
  // `stage`, not `component`: a component process (`serve --component`) names its component on every line.
  const log = app.log.child({ stage: 'events' });
  const relay = new OutboxRelay(db, transport);
  const dispatcher = new EventDispatcher(transport, deps.consumers, deps.services, log, {
    maxAttempts: options.maxAttempts, backoffBaseMs: options.backoffBaseMs, backoffMaxMs: options.backoffMaxMs,
    concurrency: options.concurrency, leaseMs: options.leaseMs,
  }, count);
  const relayHealth = failureLog(log, 'publishing the outbox');
  const dispatchHealth = failureLog(log, 'receiving event deliveries');
  let prunedAt = 0;
  let dispatchLoop: PollLoop | undefined;
  const relayLoop = new PollLoop(options.pollIntervalMs, async () => {
    const moved = await relay.publishBatch();
    relayHealth.ok();
    if (moved) dispatchLoop?.nudge();
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      const before = new Date(Date.now() - options.retainMs).toISOString();
      await Promise.all([transport.prune(before), relay.prune(before), pruneProcessed(db, before)]);
    }
    return moved > 0;
  }, relayHealth.failed, NUDGE_COALESCE_MS);
  dispatchLoop = new PollLoop(options.pollIntervalMs, async () => {
    const more = await dispatcher.dispatchDue(() => dispatchLoop?.nudge());
    dispatchHealth.ok();
    return more;
  }, dispatchHealth.failed, NUDGE_COALESCE_MS);
  deps.outbox.onCommit(() => relayLoop.nudge());
  app.addHook('onReady', async () => {
    relayLoop.start();
    dispatchLoop.start();
  });
  app.addHook('onClose', async () => {
    await Promise.all([relayLoop.stop(), dispatchLoop.stop()]);
    await dispatcher.drain(options.drainMs);
    // Last: the drained deliveries' outcomes went through it.
    await transport.close?.();
  });
  return transport;
}

/** Logs the first failure of a streak (the database is down: one line, not one per poll) and notices the recovery. */
function failureLog(log: FastifyBaseLogger, what: string): { failed(err: unknown): void; ok(): void } {
  let failing = false;
  return {
    failed: (err) => {
      if (!failing) log.warn({ err }, `${what} failed; trying again at every poll`);
      failing = true;
    },
    ok: () => {
      if (failing) log.info(`${what} works again`);
      failing = false;
    },
  };
}

function definedOf<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
