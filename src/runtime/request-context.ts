import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller } from './auth/auth-contract.ts';

/**
 * Who is doing the work the runtime is doing right now, without threading it through every call:
 * data policies (the audit log's "who", idempotency, cache keys) read it from here. An HTTP request
 * runs inside its request's context (set by the first onRequest hook, so every later hook, the
 * handler, and the storage calls they make see it); jobs, event consumers and CLI commands run
 * inside a context naming themselves with {@link runAs}.
 */
export interface WorkContext {
  /** `http` for requests; the others name background work. */
  source: 'http' | 'job' | 'event' | 'cli';
  /** The request while serving one (its `caller` is set once authentication has run). */
  request?: FastifyRequest;
  /** For background work: a stable name such as `job:purge-visits` or `consumer:analytics/link.visited`. */
  actor?: string;
  /** Correlates logs, audit rows and outbox rows with the request or run that caused them. */
  requestId?: string;
  /**
   * Work that data policies treat specially: `retention` (the retention purge may delete records of
   * immutable entities once their period ends) and `erasure` (personal-data erasure).
   */
  purpose?: 'retention' | 'erasure';
  /**
   * The Idempotency-Key this request holds (set by the idempotency hook once the key is claimed):
   * its write transactions fence the key before they commit (idempotency/idempotency-fence.ts).
   */
  idempotencyClaim?: { id: string; owner: string };
}

const storage = new AsyncLocalStorage<WorkContext>();

/** The context of the work in progress, if any. */
export function currentWork(): WorkContext | undefined {
  return storage.getStore();
}

/** The authenticated caller of the request in progress (undefined for anonymous requests and background work). */
export function currentCaller(): Caller | undefined {
  return storage.getStore()?.request?.caller;
}

/**
 * A printable "who" for audit rows: `user:<id>` (with `apikey:<id>` when the caller used an API key),
 * `anonymous` for unauthenticated requests, the background actor's name, or `system` outside any work.
 */
export function currentActor(): string {
  const work = storage.getStore();
  if (!work) return 'system';
  if (work.source !== 'http') return work.actor ?? work.source;
  const caller = work.request?.caller;
  if (!caller) return 'anonymous';
  return caller.apiKeyId ? `user:${caller.userId} apikey:${caller.apiKeyId}` : `user:${caller.userId}`;
}

/** The request id (or run id) of the work in progress. */
export function currentRequestId(): string | undefined {
  const work = storage.getStore();
  return work?.requestId ?? (work?.request ? String(work.request.id) : undefined);
}

/** Runs `fn` as background work named `actor` (a job run, an event delivery, a CLI command). */
export function runAs<T>(work: Omit<WorkContext, 'request'>, fn: () => T): T {
  return storage.run(work, fn);
}

/**
 * Runs `fn` as the work in progress, marked with `purpose` (an erasure requested over HTTP stays the
 * caller's work, so audit rows name the caller). Outside any work it runs as `fallback`.
 */
export function withPurpose<T>(purpose: NonNullable<WorkContext['purpose']>, fallback: Omit<WorkContext, 'request' | 'purpose'>, fn: () => T): T {
  return storage.run({ ...(storage.getStore() ?? fallback), purpose }, fn);
}

/**
 * Registers the hook that puts each request in its own context. It must be the first onRequest
 * hook: `done` is called inside `run`, so the rest of the request's lifecycle inherits the context.
 */
export function registerRequestContext(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    storage.run({ source: 'http', request }, done);
  });
}
