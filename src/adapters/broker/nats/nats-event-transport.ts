import { connect, type JetStreamClient, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import type {
  Delivery, DeliveryRecord, DeliveryStatus, EventMessage, EventTransport, RedriveSelector, Subscription, TransportStats,
} from '../event-transport.ts';
import { isNoMessage, NatsDeadLetters, nextMessage, type DeadLetter } from './nats-dead-letters.ts';
import { ensureTopology, topology, type NatsTopology } from './nats-topology.ts';

/** What the JetStream transport needs. */
export interface NatsTransportOptions {
  /** The server(s), `nats://host:4222` (`NATS_URL`); credentials in the URL are honoured and never printed. */
  url: string;
  /** Subject prefix naming the system's streams, `archspec.linkly` (see {@link topology}). */
  prefix: string;
  subscriptions: readonly Subscription[];
  /** JetStream's ack wait: how long a receiver holds a delivery (default 30 s). */
  leaseMs?: number;
  /** How long the events stream keeps messages, handled or not (default 7 days). */
  retainMs?: number;
  /** Publish deduplication window (default 10 minutes): a relay republishing within it delivers nothing twice. */
  duplicateWindowMs?: number;
  /** How long the first connection may take (default 3 s). */
  connectTimeoutMs?: number;
}

/** NATS cannot be reached (or has no JetStream) when the transport starts. */
export class EventTransportUnavailableError extends Error {
  readonly code = 'event_transport_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventTransportUnavailableError';
  }
}

/** What JetStream cannot answer (it keeps no per-delivery history): the message says what to use instead. */
export class TransportUnsupportedError extends Error {
  readonly code = 'transport_unsupported';
  constructor(message: string) {
    super(message);
    this.name = 'TransportUnsupportedError';
  }
}

const MAX_ERROR_CHARS = 2_000;
/** How long a pull or an outcome may wait for the server (while it is unreachable) before failing. */
const ANSWER_TIMEOUT_MS = 5_000;

/**
 * The NATS JetStream event transport. Publishing puts one message per subscribed consumer on
 * `<prefix>.events.<consumer>.<event>` with `Nats-Msg-Id` = the delivery id, and resolves once
 * every PubAck arrived (stored, deduplicated within the window). Each archspec consumer is a
 * durable pull consumer with explicit acks whose ack wait is the lease: `receive` pulls with
 * `no_wait` (never blocks), `working()` is an in-progress ack, `retry` a nak with delay,
 * `deadLetter` copies the message and its error to `<prefix>.dead.<consumer>` and terms it.
 * What JetStream does not keep (handled deliveries, a pending delivery's last error) cannot be
 * listed: see {@link NatsEventTransport.list}. Reconnects by itself; while NATS is down, publish
 * and receive fail (the outbox keeps its rows; the dispatcher polls on).
 *
 * @example
 * const transport = await NatsEventTransport.open({ url: 'nats://127.0.0.1:4222', prefix: 'archspec.linkly', subscriptions });
 * await transport.publish([{ id, name: 'link.visited', payload, emittedAt }]);
 * for (const d of await transport.receive(10)) await d.ack();
 * await transport.close();
 */
export class NatsEventTransport implements EventTransport {
  readonly engine = 'nats';
  private readonly consumersOf = new Map<string, string[]>();
  private readonly consumers: string[];
  private readonly dead: NatsDeadLetters;
  /** Where the next receive starts, so a busy consumer cannot starve the others. */
  private turn = 0;

  private constructor(private readonly nc: NatsConnection, private readonly jsm: JetStreamManager, private readonly js: JetStreamClient, private readonly names: NatsTopology, subscriptions: readonly Subscription[]) {
    for (const { consumer, event } of subscriptions) this.consumersOf.set(event, [...new Set([...(this.consumersOf.get(event) ?? []), consumer])]);
    this.consumers = [...new Set(subscriptions.map((s) => s.consumer))];
    this.dead = new NatsDeadLetters(jsm, js, names);
  }

  /** Connects, and creates or updates the streams and durable consumers. Throws {@link EventTransportUnavailableError} when NATS does not answer. */
  static async open(options: NatsTransportOptions): Promise<NatsEventTransport> {
    const where = redacted(options.url);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: options.url.split(',').map((s) => s.trim()), name: 'archspec', timeout: options.connectTimeoutMs ?? 3_000,
        // Once connected, never give up: a NATS restart must not need an archspec restart.
        maxReconnectAttempts: -1, reconnectTimeWait: 1_000,
      });
    } catch (e) {
      throw new EventTransportUnavailableError(`cannot connect to NATS at ${where} (NATS_URL): ${(e as { code?: string }).code ?? (e as Error).message}`, { cause: e });
    }
    try {
      const jsm = await nc.jetstreamManager();
      const names = topology(options.prefix);
      await ensureTopology(jsm, names, [...new Set(options.subscriptions.map((s) => s.consumer))], {
        leaseMs: options.leaseMs ?? 30_000, retainMs: options.retainMs ?? 7 * 24 * 3_600_000, duplicateWindowMs: options.duplicateWindowMs ?? 600_000,
      });
      return new NatsEventTransport(nc, jsm, nc.jetstream({ timeout: 5_000 }), names, options.subscriptions);
    } catch (e) {
      await nc.close().catch(() => {});
      throw new EventTransportUnavailableError(`NATS at ${where} has no usable JetStream (start nats-server with -js): ${(e as Error).message}`, { cause: e });
    }
  }

  async publish(messages: readonly EventMessage[]): Promise<void> {
    const acks = messages.flatMap((m) => (this.consumersOf.get(m.name) ?? []).map((consumer) =>
      this.js.publish(this.names.eventSubject(consumer, m.name), JSON.stringify(m), { msgID: `${m.id}:${consumer}` })));
    // Every publish runs to its end before a failure is reported: the relay then republishes the
    // whole batch, and the ones already stored are deduplicated.
    const failed = (await Promise.allSettled(acks)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  async receive(max: number, options: { consumers?: readonly string[] } = {}): Promise<Delivery[]> {
    const wanted = options.consumers ? this.consumers.filter((c) => options.consumers!.includes(c)) : this.consumers;
    if (max < 1 || !wanted.length) return [];
    const start = this.turn++ % wanted.length;
    const out: Delivery[] = [];
    for (const consumer of [...wanted.slice(start), ...wanted.slice(0, start)]) {
      if (out.length >= max) break;
      const durable = this.names.durable(consumer).name;
      const batch = this.js.fetch(this.names.eventsStream, durable, { batch: max - out.length, no_wait: true });
      // A no_wait pull has no client-side timer: a request lost with the connection would wait
      // forever, and the dispatcher's poll loop with it.
      const watchdog = setTimeout(() => batch.stop(new Error(`NATS did not answer a pull from ${durable} within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
      try {
        for await (const m of batch) {
          const delivery = this.delivery(consumer, m);
          if (delivery) out.push(delivery);
          else m.term(); // not an archspec message: never deliver it again
        }
      } finally {
        clearTimeout(watchdog);
      }
    }
    return out.sort((a, b) => a.message.emittedAt.localeCompare(b.message.emittedAt));
  }

  redrive(selector: RedriveSelector): Promise<number> {
    return this.dead.redrive(selector);
  }

  /**
   * Dead letters, newest first (with no `status`, too: they are the only deliveries JetStream
   * keeps a record of). Throws {@link TransportUnsupportedError} for `pending` and `done`:
   * JetStream tracks a consumer's pending messages as counts, not rows (see `stats`, or
   * `nats consumer info`), and forgets an acked one.
   */
  async list(filter: { status?: DeliveryStatus; limit: number }): Promise<DeliveryRecord[]> {
    if (filter.status && filter.status !== 'dead') {
      throw new TransportUnsupportedError(`the NATS transport cannot list ${filter.status} deliveries (JetStream keeps counts, not rows): see \`archspec_events_pending\` or \`nats consumer info ${this.names.eventsStream}\``);
    }
    return this.dead.list(filter.limit);
  }

  /** Pending: each durable's unreceived plus unacked messages; the oldest is read from each durable's ack floor. */
  async stats(): Promise<TransportStats> {
    let pending = 0;
    let oldest: string | undefined;
    for (const consumer of this.consumers) {
      const { name, filter } = this.names.durable(consumer);
      const info = await this.jsm.consumers.info(this.names.eventsStream, name);
      const count = info.num_pending + info.num_ack_pending;
      pending += count;
      if (!count) continue;
      try {
        const first = await nextMessage(this.jsm, this.names.eventsStream, info.ack_floor.stream_seq + 1, filter);
        const emittedAt = first.json<EventMessage>().emittedAt;
        if (!oldest || emittedAt < oldest) oldest = emittedAt;
      } catch (e) {
        if (!isNoMessage(e)) throw e;
      }
    }
    return { pending, dead: await this.dead.count(), ...(oldest ? { oldestPendingEmittedAt: oldest } : {}) };
  }

  /** Nothing to do: the events stream drops messages older than its retention (`max_age`) itself. */
  async prune(_before: string): Promise<number> {
    return 0;
  }

  /** Closes the connection (every outcome was flushed when it resolved; a drain would wait for a NATS that is down). */
  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private delivery(consumer: string, m: JsMsg): Delivery | undefined {
    let message: EventMessage;
    try {
      message = m.json<EventMessage>();
      if (typeof message?.id !== 'string' || typeof message.name !== 'string') return undefined;
    } catch {
      return undefined;
    }
    const attempt = m.info.redeliveryCount;
    // nak, term and in-progress are fire-and-forget publishes: the flush makes each reach the
    // server before the outcome resolves, so what the caller does next sees it applied.
    const flushed = async (send: () => void) => {
      send();
      await withTimeout(this.nc.flush(), `NATS did not confirm an outcome within ${ANSWER_TIMEOUT_MS} ms`);
    };
    return {
      id: `${message.id}:${consumer}`,
      consumer,
      attempt,
      message,
      ack: async () => {
        await m.ackAck();
      },
      retry: (_error, delayMs) => flushed(() => m.nak(Math.max(0, Math.round(delayMs)))),
      deadLetter: async (error) => {
        const dead: DeadLetter = {
          deliveryId: `${message.id}:${consumer}`, consumer, attempts: attempt, lastError: error.slice(0, MAX_ERROR_CHARS),
          deadAt: new Date().toISOString(), publishedAt: new Date(Math.floor(m.info.timestampNanos / 1e6)).toISOString(), message,
        };
        // Copied first, termed second: a crash between the two redelivers it, and parking it
        // again is deduplicated (same delivery, same attempt).
        await this.js.publish(this.names.deadSubject(consumer), JSON.stringify(dead), { msgID: `dead:${dead.deliveryId}:${m.info.streamSequence}:${attempt}` });
        await flushed(() => m.term());
      },
      working: () => flushed(() => m.working()),
    };
  }
}

async function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ANSWER_TIMEOUT_MS); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL without its credentials, for messages. */
function redacted(url: string): string {
  return url.split(',').map((one) => {
    try {
      const u = new URL(one.trim().includes('://') ? one.trim() : `nats://${one.trim()}`);
      return `${u.protocol}//${u.host}`;
    } catch {
      return '(unparsable URL)';
    }
  }).join(',');
}
