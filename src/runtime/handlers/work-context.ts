import type { Tracer } from '@opentelemetry/api';
import type { RecordStore, Storage, Transaction } from '../../adapters/storage/storage.ts';
import type { SystemModel } from '../../model/system-model.ts';
import type { HandlerCache, HandlerContext, HandlerLog, IntegrationClient } from './handler-context.ts';
import { handlerDb } from './handler-db.ts';

/**
 * What every piece of user code the runtime runs shares, built once per server: custom endpoint
 * handlers, event consumers and scheduled jobs all reach the database, the cache and the
 * integration clients (one per integration, so its circuit breaker and bulkhead see every call)
 * through these.
 */
export interface WorkServices {
  model: SystemModel;
  /** The storage with the runtime's data policies applied (what handlers must write through). */
  storage: Storage;
  cache: HandlerCache;
  integrations: Record<string, IntegrationClient>;
  tracer: Tracer;
  /**
   * `ctx.emit` for work running in `tx`: checks the event is declared and its payload carries the
   * declared keys, and records it in the same transaction (the outbox, `_archspec_outbox`), so it
   * is delivered if and only if the transaction commits.
   */
  emitter(tx: Transaction, meta: { requestId?: string }): HandlerContext['emit'];
  /** Call after a transaction that used an emitter committed: wakes delivery instead of waiting for the next poll. */
  afterCommit(): void;
}

/** The part of a handler's context that does not depend on HTTP: database, events, cache, integrations, log. */
export type WorkContext = Pick<HandlerContext, 'db' | 'emit' | 'cache' | 'integrations' | 'log'>;

/**
 * The context parts for user code running on `store` (normally one transaction), announcing events
 * through `emit`.
 */
export function workContext(services: WorkServices, store: RecordStore, emit: HandlerContext['emit'], log: HandlerLog): WorkContext {
  return { db: handlerDb(services.model, store), emit, cache: services.cache, integrations: services.integrations, log };
}
