import { randomUUID } from 'node:crypto';
import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Kysely } from 'kysely';
import type { Transaction } from '../../adapters/storage/storage.ts';
import type { EventMessage } from '../../adapters/broker/event-transport.ts';
import type { DomainEvent, SystemModel } from '../../model/system-model.ts';
import type { HandlerContext } from '../handlers/handler-context.ts';
import { currentRequestId, currentWork } from '../request-context.ts';

/** The outbox table: one row per emitted event, written in the emitting transaction. */
export const OUTBOX_TABLE = '_archspec_outbox';

const propagator = new W3CTraceContextPropagator();

/**
 * The W3C `traceparent` of the active span, if there is one. With tracing off no span is active,
 * but a request may still carry its caller's `traceparent` (the one its log lines show): that one,
 * normalized, so consumers stay in the caller's trace.
 */
function activeTraceParent(): string | undefined {
  const carrier: Record<string, string> = {};
  let active = context.active();
  const headers = currentWork()?.request?.headers;
  if (!trace.getSpan(active) && headers) active = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  propagator.inject(active, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** Throws the programming error `ctx.emit` reports for an undeclared event or a payload missing declared keys. */
export function checkEmit(model: SystemModel, name: string, payload: unknown): DomainEvent {
  const event = model.events.find((e) => e.name === name);
  if (!event) {
    throw new Error(`ctx.emit: event "${name}" is not declared in the spec's events (${model.events.map((e) => e.name).join(', ') || 'none'})`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new Error(`ctx.emit: the payload of "${name}" must be an object with ${Object.keys(event.payload).join(', ') || 'its fields'}`);
  }
  const missing = Object.keys(event.payload).filter((key) => (payload as Record<string, unknown>)[key] === undefined);
  if (missing.length) {
    throw new Error(`ctx.emit: the payload of "${name}" lacks ${missing.join(', ')} (the spec declares payload: { ${Object.entries(event.payload).map(([k, t]) => `${k}: ${t}`).join(', ')} })`);
  }
  return event;
}

/**
 * The transactional outbox's writing half. `emitter(tx, meta)` is `ctx.emit` for work running in
 * `tx`: it checks the event is declared and its payload carries the declared keys (a programming
 * error otherwise), then inserts one `_archspec_outbox` row through `tx.kysely`, so the event
 * exists if and only if the transaction commits. `afterCommit()` tells the relay (whoever
 * subscribed with `onCommit`) that new rows may be waiting, so delivery need not wait for its poll.
 *
 * @example
 * const outbox = new Outbox(model);
 * await storage.transaction((tx) => outbox.emitter(tx, { requestId })('link.visited', payload));
 * outbox.afterCommit();
 */
export class Outbox {
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly model: SystemModel) {}

  readonly emitter = (tx: Transaction, meta: { requestId?: string }): HandlerContext['emit'] => {
    return async (name, payload) => {
      checkEmit(this.model, name, payload);
      const traceParent = activeTraceParent();
      await tx.kysely.insertInto(OUTBOX_TABLE).values({
        id: randomUUID(), event: name, payload: serialize(name, payload), requestId: meta.requestId ?? currentRequestId() ?? null,
        traceParent: traceParent ?? null, createdAt: new Date().toISOString(), publishedAt: null,
      }).execute();
    };
  };

  readonly afterCommit = (): void => {
    for (const listener of this.listeners) listener();
  };

  /** Calls `listener` after each transaction that may have emitted commits. */
  onCommit(listener: () => void): void {
    this.listeners.push(listener);
  }
}

function serialize(name: string, payload: Record<string, unknown>): string {
  try {
    return JSON.stringify(payload);
  } catch (e) {
    throw new Error(`ctx.emit: the payload of "${name}" is not JSON (${(e as Error).message})`, { cause: e });
  }
}

/** Outbox rows not yet handed to the transport, oldest first. */
export async function unpublished(db: Kysely<any>, limit: number): Promise<EventMessage[]> {
  const rows = await db.selectFrom(OUTBOX_TABLE).selectAll().where('publishedAt', 'is', null).orderBy('createdAt').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id, name: r.event, payload: JSON.parse(r.payload), emittedAt: r.createdAt,
    ...(r.requestId ? { requestId: r.requestId } : {}), ...(r.traceParent ? { traceParent: r.traceParent } : {}),
  }));
}

/** How many outbox rows wait for the relay, and when the oldest was written. */
export async function outboxBacklog(db: Kysely<any>): Promise<{ pending: number; oldestCreatedAt?: string }> {
  const row = await db.selectFrom(OUTBOX_TABLE).select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('createdAt').as('oldest')]).where('publishedAt', 'is', null).executeTakeFirst();
  return { pending: Number(row?.n ?? 0), ...(row?.oldest ? { oldestCreatedAt: String(row.oldest) } : {}) };
}
