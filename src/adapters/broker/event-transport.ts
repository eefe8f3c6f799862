import type { Kysely } from 'kysely';
/**
 * The event transport family: what the outbox relay publishes to and the event dispatcher
 * consumes from. One interface, engines in their own folders (`local/`: the database itself, the
 * embedded default; NATS JetStream arrives in issue 5 and must pass the same conformance suite,
 * `test/conformance/event-transport.suite.ts`).
 *
 * The contract, engine-neutral:
 * - **Topology.** A transport is built with the subscriptions (`consumer` takes every `event`);
 *   publishing an event routes one delivery to each consumer subscribed to it. A consumer is a
 *   component name (`analytics`); a delivery's id is `<eventId>:<consumer>`.
 * - **Durable, idempotent publish.** When `publish` resolves, the messages survive a crash of this
 *   process; publishing an event id again (a relay that crashed before stamping its outbox rows)
 *   delivers nothing twice (JetStream: `Nats-Msg-Id` deduplication).
 * - **At-least-once delivery with leases.** `receive` hands out due deliveries, each leased to the
 *   caller for `leaseMs`: no other receiver gets it while the lease holds (`working()` extends it,
 *   JetStream's in-progress ack). A delivery that is neither acked nor retried before its lease
 *   lapses (the process died) is handed out again, with `attempt` one higher.
 * - **Outcomes.** `ack()`: handled, never again. `retry(error, delayMs)`: again no sooner than
 *   `delayMs` from now (JetStream: nak with delay). `deadLetter(error)`: parked in the dead-letter
 *   state (JetStream: term, copied to a dead-letter subject) until `redrive` makes it pending
 *   again with attempts reset. An outcome reported by a holder whose lease lapsed and was taken by
 *   another receiver is ignored.
 */

/** One event as it travels: the outbox row's content. */
export interface EventMessage {
  /** The event's id (uuid): the idempotency key of publish. */
  id: string;
  /** The spec's event name, `link.visited`. */
  name: string;
  payload: Record<string, unknown>;
  /** ISO-8601 time the event was emitted (its transaction wrote the outbox row). */
  emittedAt: string;
  /** Request (or run) that emitted it. */
  requestId?: string;
  /** W3C `traceparent` of the span that emitted it, so consumers continue the trace. */
  traceParent?: string;
}

/** `consumer` (a component) handles every `event` of that name. */
export interface Subscription {
  consumer: string;
  event: string;
}

/** One message handed to one consumer, leased to the receiver until an outcome is reported. */
export interface Delivery {
  /** `<eventId>:<consumer>`. */
  readonly id: string;
  readonly consumer: string;
  readonly message: EventMessage;
  /** 1 on the first delivery; each hand-out (including after a lapsed lease) adds one. */
  readonly attempt: number;
  /** Handled: it is never delivered again. */
  ack(): Promise<void>;
  /**
   * Only on transports that keep their state in the application's database (the local one): the
   * ack as part of the consumer's own transaction `db`, so it commits or rolls back with the
   * consumer's effects (no window between the two, and one write fewer per delivery). Throws
   * DeliveryLeaseLostError when this claim no longer holds the delivery (another process took it
   * over): the caller must then roll back.
   */
  ackWith?(db: Kysely<any>): Promise<void>;
  /** Failed: deliver again no sooner than `delayMs` from now; `error` is kept as the last error. */
  retry(error: string, delayMs: number): Promise<void>;
  /** Failed for good: parked as a dead letter until redriven. */
  deadLetter(error: string): Promise<void>;
  /** Still working on it: extends the lease by the transport's lease time. */
  working(): Promise<void>;
}

export type DeliveryStatus = 'pending' | 'done' | 'dead';

/** A delivery as the operator sees it (`archspec events list`). */
export interface DeliveryRecord {
  id: string;
  eventId: string;
  event: string;
  consumer: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  emittedAt?: string;
  createdAt: string;
  deliveredAt?: string;
  payload: Record<string, unknown>;
}

/** Which dead letters `redrive` makes pending again: one delivery (or every delivery of one event id), one consumer's, or all. */
export type RedriveSelector = { id: string } | { consumer: string } | { all: true };

/** Figures for the metrics, read cheaply at each scrape. */
export interface TransportStats {
  /** Deliveries not yet handled (waiting, leased or scheduled for a retry). */
  pending: number;
  /** When the oldest of those was emitted (ISO-8601), if any. */
  oldestPendingEmittedAt?: string;
  /** Dead letters. */
  dead: number;
}

export interface EventTransport {
  /** The engine's name, as the spec's `architecture.storage.queue.engine` spells it (`local`, `nats`). */
  readonly engine: string;
  /** Routes each message to its event's subscribers; durable when it resolves, idempotent per message id. */
  publish(messages: readonly EventMessage[]): Promise<void>;
  /** Up to `max` due deliveries leased to the caller, oldest first; only for `consumers` when given. */
  receive(max: number, options?: { consumers?: readonly string[] }): Promise<Delivery[]>;
  /** Makes matching dead letters pending again with their attempts reset; resolves with how many. */
  redrive(selector: RedriveSelector): Promise<number>;
  /** Newest first. */
  list(filter: { status?: DeliveryStatus; limit: number }): Promise<DeliveryRecord[]>;
  stats(): Promise<TransportStats>;
  /** Forgets handled deliveries older than `before` (ISO-8601); resolves with how many. */
  prune(before: string): Promise<number>;
  /** Releases the engine's connections (networked engines); the owner calls it once, last. */
  close?(): Promise<void>;
}

/** The delivery was handed to someone else (its lease lapsed) before this claim could settle it. */
export class DeliveryLeaseLostError extends Error {
  readonly code = 'delivery_lease_lost';
  constructor(readonly deliveryId: string) {
    super(`delivery ${deliveryId} is no longer held by this process (its lease lapsed and it was claimed again)`);
    this.name = 'DeliveryLeaseLostError';
  }
}
