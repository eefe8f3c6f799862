import { context, defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { FastifyBaseLogger } from 'fastify';
import { DeliveryLeaseLostError, type Delivery, type EventTransport } from '../../adapters/broker/event-transport.ts';
import type { EventContext } from '../handlers/handler-context.ts';
import { workContext, type WorkServices } from '../handlers/work-context.ts';
import { runAs } from '../request-context.ts';
import type { EventConsumer } from './event-consumers.ts';
import { recordProcessed } from './processed-keys.ts';

/** How the dispatcher retries. */
export interface DispatchPolicy {
  /** Attempts before a delivery becomes a dead letter (default 8). */
  maxAttempts: number;
  /** Delay before the second attempt; each later one doubles it (default 5 s). */
  backoffBaseMs: number;
  /** Longest delay between attempts (default 5 minutes). */
  backoffMaxMs: number;
  /** Deliveries handled at once by this process (default 4). */
  concurrency: number;
  /** The transport's lease time: a delivery in progress extends its lease every third of it. */
  leaseMs: number;
}

/** What happened to one delivery (the metric's `outcome` label). */
export type DeliveryOutcome = 'delivered' | 'retried' | 'dead';

/**
 * The delay before attempt `attempt + 1` after attempt `attempt` failed: exponential from
 * `baseMs`, capped at `maxMs`, with "equal jitter" (a random point in the upper half), so
 * consumers failing together do not retry together yet never retry at once.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

const propagator = new W3CTraceContextPropagator();

/** How a delivery's run ended when the consumer did not throw. */
type RunOutcome = 'ran' | 'ran-and-acked' | 'already-handled';

/**
 * Runs the spec's event consumers on deliveries from the transport. Each delivery runs as
 * `consumer:<component>/<event>` (request id: the event id) in ONE transaction. On the local
 * transport the ack is part of that transaction (`ackWith`): effects and ack commit together, and
 * a claim that lost its lease meanwhile rolls back. On a transport acking on its own (NATS) the
 * transaction first records the event id in `_archspec_processed`: a redelivery of an event this
 * consumer already committed (a crash between the commit and the ack) is acknowledged without
 * running the consumer again.
 * The consumer's context is the shared work context (db, emit, cache, integrations, log) plus
 * `event` and `dedupe`. Success acks; a throw retries after {@link backoffDelay}, and the last
 * allowed attempt's failure parks the delivery as a dead letter (logged at error). Every error is
 * retried alike (an unavailable integration, a bug, a conflict).
 */
export class EventDispatcher {
  private readonly handlers = new Map<string, EventConsumer>();
  private readonly consumerNames: string[];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly transport: EventTransport,
    consumers: readonly EventConsumer[],
    private readonly services: WorkServices,
    private readonly log: FastifyBaseLogger,
    private readonly policy: DispatchPolicy,
    private readonly onOutcome: (consumer: string, outcome: DeliveryOutcome) => void = () => {},
  ) {
    for (const c of consumers) this.handlers.set(`${c.consumer} ${c.event}`, c);
    this.consumerNames = [...new Set(consumers.map((c) => c.consumer))];
  }

  /** Deliveries being handled now. */
  get busy(): number {
    return this.inFlight.size;
  }

  /**
   * Takes as many due deliveries as there are free slots and starts handling them (without
   * waiting for them); `onSettled` runs as each finishes. True when every slot was filled (more may be due).
   */
  async dispatchDue(onSettled: () => void = () => {}): Promise<boolean> {
    const free = this.policy.concurrency - this.inFlight.size;
    if (free <= 0 || !this.consumerNames.length) return false;
    const deliveries = await this.transport.receive(free, { consumers: this.consumerNames });
    for (const delivery of deliveries) {
      const run: Promise<void> = this.handle(delivery).finally(() => {
        this.inFlight.delete(run);
        onSettled();
      });
      this.inFlight.add(run);
    }
    return deliveries.length === free;
  }

  /** Waits for the deliveries in progress, at most `timeoutMs`; those still running are left to their lease. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    clearTimeout(timer);
  }

  /** Handles one delivery to its outcome; never throws. */
  async handle(delivery: Delivery): Promise<void> {
    const { message, consumer, attempt } = delivery;
    const log = this.log.child({ consumer, event: message.name, eventId: message.id, attempt });
    const entry = this.handlers.get(`${consumer} ${message.name}`);
    try {
      if (!entry) {
        await this.park(delivery, log, `component ${consumer} has no handler for ${message.name} in this spec`);
        return;
      }
      if (attempt > this.policy.maxAttempts) {
        await this.park(delivery, log, `${attempt - 1} attempts never finished (the process stopped or lost its lease while handling)`);
        return;
      }
      const heartbeat = setInterval(() => void delivery.working().catch(() => {}), Math.max(10, this.policy.leaseMs / 3));
      let failure: unknown;
      let outcome: RunOutcome = 'ran';
      try {
        outcome = await this.run(delivery, entry, log);
      } catch (e) {
        failure = e;
      } finally {
        clearInterval(heartbeat);
      }
      const ran = outcome !== 'already-handled';
      if (failure instanceof DeliveryLeaseLostError) {
        // Another process holds it now and runs it; this attempt's effects were rolled back.
        log.warn('event delivery taken over by another process before it finished here; its effects were rolled back');
        return;
      }
      if (failure === undefined) {
        if (outcome !== 'ran-and-acked') await delivery.ack();
        this.onOutcome(consumer, 'delivered');
        log.info(ran ? 'event delivered' : 'event already handled by this consumer (a redelivery): acknowledged');
      } else if (attempt >= this.policy.maxAttempts) {
        await this.park(delivery, log, describe(failure), failure);
      } else {
        const delayMs = backoffDelay(attempt, this.policy.backoffBaseMs, this.policy.backoffMaxMs);
        await delivery.retry(describe(failure), delayMs);
        this.onOutcome(consumer, 'retried');
        log.warn({ err: failure, retryInMs: delayMs }, `event consumer failed (attempt ${attempt} of ${this.policy.maxAttempts}); retrying`);
      }
    } catch (e) {
      // The outcome could not be recorded (database down): the lease lapses and the delivery comes back.
      log.warn({ err: e }, 'could not record the outcome of an event delivery; it will be delivered again');
    }
  }

  private async park(delivery: Delivery, log: FastifyBaseLogger, reason: string, err?: unknown): Promise<void> {
    await delivery.deadLetter(reason);
    this.onOutcome(delivery.consumer, 'dead');
    log.error({ ...(err ? { err } : {}), reason }, `event delivery dead-lettered after ${delivery.attempt} attempt(s); fix the cause, then \`archspec events redrive\``);
  }

  /**
   * Runs the consumer in one transaction. On a transport that can ack inside it (ackWith), the ack
   * commits with the consumer's effects; otherwise the event id is recorded in `_archspec_processed`
   * first, so a redelivery after a crash between commit and ack is recognized ('already-handled').
   */
  private async run(delivery: Delivery, entry: EventConsumer, log: FastifyBaseLogger): Promise<RunOutcome> {
    const { message, consumer, attempt } = delivery;
    const parent = message.traceParent ? propagator.extract(ROOT_CONTEXT, { traceparent: message.traceParent }, defaultTextMapGetter) : ROOT_CONTEXT;
    let emitted = false;
    const ran = await runAs({ source: 'event', actor: `consumer:${consumer}/${message.name}`, requestId: message.id }, () =>
      context.with(parent, () => this.services.tracer.startActiveSpan(`event ${message.name} ${consumer}`, {
        kind: SpanKind.CONSUMER,
        attributes: { 'messaging.operation.type': 'process', 'messaging.destination.name': message.name, 'messaging.message.id': message.id, 'archspec.consumer': consumer, 'archspec.attempt': attempt },
      }, async (span) => {
        try {
          return await this.services.storage.transaction(async (tx): Promise<RunOutcome> => {
            if (!delivery.ackWith && !(await recordProcessed(tx.kysely, consumer, `event:${message.id}`))) return 'already-handled';
            const emit = this.services.emitter(tx, { requestId: message.id });
            const work = workContext(this.services, tx, async (name, payload) => { await emit(name, payload); emitted = true; }, log);
            const ctx: EventContext = {
              ...work,
              event: { id: message.id, name: message.name, attempt, emittedAt: message.emittedAt },
              dedupe: (key) => recordProcessed(tx.kysely, consumer, `key:${key}`),
            };
            await entry.handler(message.payload, ctx);
            if (!delivery.ackWith) return 'ran';
            await delivery.ackWith(tx.kysely);
            return 'ran-and-acked';
          });
        } catch (e) {
          span.recordException(e as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: describe(e) });
          throw e;
        } finally {
          span.end();
        }
      })));
    if (emitted) this.services.afterCommit();
    return ran;
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
