import type { Page, Row } from '../../adapters/storage/storage.ts';
import type { Caller } from '../auth/auth-contract.ts';

/**
 * The public API of custom endpoint handlers: what a module named by `handler: ./handlers/x.ts`
 * receives. A handler is the module's default export, `(ctx: HandlerContext) => unknown`:
 *
 * - return a plain value: 200 with it as JSON (`undefined`: 204 No Content);
 * - return `ctx.created(body, location)`, `ctx.json(body, status)`, `ctx.redirect(url)`, `ctx.notFound()` or
 *   `ctx.problem(status, code, detail)` for anything else;
 * - throw: the request's transaction rolls back and the client gets a problem+json 500 (an
 *   `ApiError` keeps its own status and code).
 *
 * Everything done through `ctx.db` is one database transaction per request, committed when the
 * handler returns (whatever it returns, problems included) and rolled back when it throws.
 *
 * @example
 * export default async function visit(ctx: HandlerContext) {
 *   const link = await ctx.db.get('Link', ctx.params.code);
 *   if (!link) return ctx.notFound();
 *   await ctx.emit('link.visited', { link: link.code, at: new Date().toISOString(), ip: ctx.ip });
 *   return ctx.redirect(String(link.target), 302);
 * }
 */
export interface HandlerContext {
  /** Record access inside the request's transaction, by entity name. */
  db: HandlerDb;
  /** The signed-in caller (undefined on public endpoints called anonymously). */
  user: HandlerUser | undefined;
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The parsed JSON body (validated against the endpoint's `body:` fields when it declares them). */
  body: any;
  /** The body exactly as received (a spec `signature:` is verified before the handler runs; this is for other schemes). */
  rawBody: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** The client's address (behind a proxy: as Fastify's trustProxy setting resolves it). */
  ip: string;
  log: HandlerLog;
  /**
   * Announces a domain event declared in the spec's `events`: writes it to the transactional outbox
   * (`_archspec_outbox`) in this request's transaction, so it exists if and only if the transaction
   * commits (a handler that throws emits nothing). After the commit it is delivered, at least once,
   * to every component whose `handlers` name the event (see {@link EventHandler}). An undeclared
   * event, or a payload lacking a key the event's `payload` declares, throws (a programming error).
   */
  emit(event: string, payload: Record<string, unknown>): Promise<void>;
  /**
   * A key-value cache with TTLs shared by the handlers, consumers and jobs of one server (see
   * {@link HandlerCache}). Every call is async: `await ctx.cache.get(key)`.
   */
  cache: HandlerCache;
  /**
   * One client per integration of the spec (`requirements.integrations`), shared by the whole
   * server so its circuit breaker and bulkhead see every call; see {@link IntegrationClient}.
   */
  integrations: Record<string, IntegrationClient>;
  notFound(detail?: string): HandlerResponse;
  /** A problem+json answer; `code` may be the handler's own (e.g. `slot_taken`). */
  problem(status: number, code: string, detail: string): HandlerResponse;
  redirect(url: string, status?: 301 | 302 | 303 | 307 | 308): HandlerResponse;
  /**
   * 201 Created with `body`; with `location`, a Location header naming the new record. Write the
   * location as the spec writes routes, without the API base path: under basePath /api/v1,
   * `ctx.created(order, '/orders/' + order.id)` answers `Location: /api/v1/orders/<id>`. An absolute
   * URL is sent as given.
   */
  created(body: unknown, location?: string): HandlerResponse;
  json(body: unknown, status?: number): HandlerResponse;
}

/** The caller as handlers see it: `id` is the user's id, `role` their first role. */
export interface HandlerUser extends Caller {
  id: string;
  role: string | undefined;
}

/** Filters of `db.list`: `{ field: value }` for equality, `{ field: { gt: v, lt: w } }` for comparisons (eq, ne, lt, lte, gt, gte, in, like, isNull). */
export type Where = Record<string, unknown>;

export interface ListOptions {
  limit?: number;
  /** A field to sort by; `-field` for descending. Several: an array. */
  orderBy?: string | string[];
  cursor?: string;
  fields?: string[];
  count?: boolean;
  includeDeleted?: boolean;
}

export interface HandlerDb {
  /**
   * With `forUpdate`, PostgreSQL locks the row until the request's transaction ends (SELECT ... FOR UPDATE),
   * so read-then-write handlers cannot lose an update; SQLite needs no lock (its writers are serialized).
   */
  get(entity: string, id: string | number, options?: { forUpdate?: boolean }): Promise<Row | undefined>;
  list(entity: string, where?: Where, options?: ListOptions): Promise<Page>;
  /** The created record. Writes of entities under an `audit` data rule add an audit row in the same transaction. */
  create(entity: string, values: Row): Promise<Row>;
  /**
   * The updated record; undefined when absent; throws ApiError precondition_failed when `expectedVersion` is stale,
   * and ApiError immutable_record (409) for an entity under an `immutable` data rule.
   */
  update(entity: string, id: string | number, patch: Row, options?: { expectedVersion?: number }): Promise<Row | undefined>;
  /** False when absent. Throws ApiError immutable_record (409) for a record of an `immutable` entity before its retention ends. */
  delete(entity: string, id: string | number): Promise<boolean>;
}

export interface HandlerLog {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/**
 * `ctx.cache`: values stored as JSON (what you get back is a copy, never the object you stored) on
 * the server's cache store (`architecture.storage.cache`; the memory engine today, so each server
 * instance has its own), in a namespace of their own beside the cached records and answers, within
 * the same `maxEntries` bound (least recently used entries are evicted first).
 *
 * A cache failure is a miss, never an error: `get` resolves undefined and `set`/`delete` resolve
 * anyway (the failure is logged and counted in `archspec_cache_errors_total`). So cache only what
 * you can recompute, and accept that a value may be stale for up to its TTL.
 *
 * @example
 * let rate = await ctx.cache.get<number>(`fx:${currency}`);
 * if (rate === undefined) {
 *   rate = (await ctx.integrations.fx.get(`/rates/${currency}`)).rate;
 *   await ctx.cache.set(`fx:${currency}`, rate, 5 * 60_000);
 * }
 */
export interface HandlerCache {
  /** The value stored under `key`, or undefined when absent, expired, evicted or the cache failed. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /**
   * Stores `value` (anything JSON can hold; undefined deletes the key) for `ttlMs` milliseconds
   * (default 60 s). Throws for a value JSON cannot hold (a BigInt, a cycle) or a TTL that is not positive.
   */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * `ctx.integrations.<name>`: JSON over HTTP(S) to one integration of the spec. `path` is relative to
 * the integration's `url` (`env:NAME` is read from the server's environment); a path that would
 * leave that origin throws. A call:
 *
 * - is refused when the host is, or resolves to, a loopback, private, link-local (cloud metadata),
 *   CGNAT or other non-public address, unless the integration says `allowPrivateNetwork: true`; the
 *   connection goes to the very address that was checked;
 * - fails on a redirect (never followed), an answer over 1 MiB, or a body that is not JSON; an empty
 *   body resolves null;
 * - bounds each attempt by `timeout` (default 5 s) and retries, `retry` times with exponential
 *   jittered backoff, only idempotent calls (GET; POST with `idempotencyKey`, sent as the
 *   `Idempotency-Key` header on every attempt; any POST of an integration with `idempotent: true`)
 *   and only transient failures (timeouts, connection errors, 408, 429, 5xx);
 * - passes the `breaker` (attempts fail fast while it is open; after `halfOpenAfter` one trial call
 *   decides) and the `bulkhead` (calls beyond it are rejected at once).
 *
 * When the call fails, the `fallback` decides: `allow` resolves null; `cached` resolves the last
 * good answer of the same GET (same path and headers) if there is one; otherwise (`queue`, `deny`,
 * `error`, none) it throws `IntegrationUnavailableError` (src/runtime/integrations/integration-errors.ts),
 * an ApiError service_unavailable: a 503 with Retry-After in a request, a delivery tried again
 * later in an event consumer.
 *
 * @example
 * const risk = await ctx.integrations.fraudcheck.post('/scores', { amount }, { idempotencyKey: payment.id });
 * if (risk === null) flagForReview(); // fallback: allow
 */
export interface IntegrationClient {
  get(path: string, options?: { headers?: Record<string, string> }): Promise<any>;
  post(path: string, body: unknown, options?: { idempotencyKey?: string; headers?: Record<string, string> }): Promise<any>;
}

/** What the response helpers build; the pipeline turns it into the HTTP answer. */
export interface HandlerResponse {
  readonly kind: 'archspec.response';
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A custom endpoint module's default export. */
export type Handler = (ctx: HandlerContext) => unknown;

/**
 * What an event consumer receives besides the payload: the same database, emit, cache,
 * integrations and log as an endpoint handler (everything through `db` and `emit` is one
 * transaction per delivery, committed when the consumer returns, rolled back when it throws), plus
 * the delivery it is handling and a deduplication helper.
 */
export interface EventContext extends Pick<HandlerContext, 'db' | 'emit' | 'cache' | 'integrations' | 'log'> {
  /** `id`: the event's id (the same on every redelivery); `attempt`: 1 the first time; `emittedAt`: ISO-8601. */
  event: { id: string; name: string; attempt: number; emittedAt: string };
  /**
   * True the first time this consumer sees `key`, false ever after (for at least the events
   * retention period, 7 days by default). The key is recorded in the delivery's transaction: if
   * the consumer throws, it is not recorded and the retry sees true again. A redelivered event is
   * already skipped by the runtime; use this for duplicates the producer made (the same business
   * fact emitted twice).
   */
  dedupe(key: string): Promise<boolean>;
}

/**
 * An event consumer: the default export of a module named by a component's `handlers`
 * (`architecture.components.<name>.handlers: { link.visited: ./handlers/record-visit.ts }`).
 * Delivery is at least once: a throw (or a crash) retries it with exponential backoff, and after
 * the last attempt it becomes a dead letter (`archspec events list --status dead`, then
 * `archspec events redrive`).
 *
 * @example
 * const recordVisit: EventHandler<{ link: string; at: string }> = async (event, ctx) => {
 *   await ctx.db.create('Visit', { link: event.link, at: event.at });
 * };
 * export default recordVisit;
 */
export type EventHandler<P extends Record<string, unknown> = Record<string, any>> = (event: P, ctx: EventContext) => unknown;

/**
 * What a scheduled job's handler (`jobs: <name>: handler: ./handlers/x.ts`) receives. A job module's
 * default export is `(ctx: JobContext) => unknown`; its return value is kept in the run history
 * (as JSON, when small) and a throw fails the run (retried `retry` times with exponential backoff).
 *
 * Unlike an endpoint, a job is NOT one transaction (jobs run for minutes; a long SQLite transaction
 * would block every writer): each `ctx.db` call commits on its own, `ctx.transaction(fn)` groups
 * writes that must commit together (inside it, `ctx.db` and `ctx.emit` join the transaction too),
 * and `ctx.emit` outside a transaction records the event in a transaction of its own.
 *
 * @example
 * export default async function sendReminders(ctx: JobContext) {
 *   const due = await ctx.db.list('Appointment', { status: 'booked', reminderSentAt: null });
 *   for (const visit of due.items) {
 *     if (ctx.signal.aborted) break; // timed out or the server is stopping
 *     await ctx.transaction(async (db) => {
 *       await db.update('Appointment', visit.id, { reminderSentAt: new Date().toISOString() });
 *       await ctx.emit('appointment.reminder-due', { appointment: visit.id });
 *     });
 *   }
 *   return { reminded: due.items.length };
 * }
 */
export interface JobContext {
  /** Record access; each call commits on its own (inside `ctx.transaction`: joins that transaction). */
  db: HandlerDb;
  /**
   * Announces a domain event declared in the spec's `events` (an undeclared event throws). Outside
   * `ctx.transaction` it is recorded at once in a transaction of its own; inside, with that
   * transaction, so it is delivered if and only if the transaction commits.
   */
  emit(event: string, payload: Record<string, unknown>): Promise<void>;
  /**
   * Runs `fn` in one database transaction: the writes through `db` (or `ctx.db`) and the events of
   * `ctx.emit` inside it commit together, or roll back together when `fn` throws. Keep it short: it
   * holds the database's write lock on SQLite. A `ctx.transaction` inside another joins the outer one.
   */
  transaction<T>(fn: (db: HandlerDb) => Promise<T>): Promise<T>;
  /** The handlers' cache (the same one endpoint handlers use; every call is async). */
  cache: HandlerCache;
  /** The integration clients of the server (the same breakers and bulkheads as endpoint handlers). */
  integrations: Record<string, IntegrationClient>;
  /** Logs with the job's name and run id attached. */
  log: HandlerLog;
  /** Which run this is. */
  job: JobRunInfo;
  /**
   * Aborted when the run times out (the job's `timeout`, default 5 minutes), when the server stops,
   * or when this instance lost the job's lease. Check it between steps or pass it to `fetch`: a
   * handler that ignores it is reported timed out at once and left to finish in the background,
   * where its `ctx.db`, `ctx.transaction` and `ctx.emit` calls throw (it cannot write next to its retry).
   */
  signal: AbortSignal;
}

/** `ctx.job`: the run a job handler is executing. */
export interface JobRunInfo {
  name: string;
  /** This attempt's id (also the request id of its log lines, audit rows and outbox rows). */
  runId: string;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** The occurrence being run: its scheduled instant, or when a manual run (`archspec jobs run`) was asked for. */
  scheduledFor: Date;
  trigger: 'schedule' | 'manual';
}

/** A scheduled job module's default export. */
export type JobHandler = (ctx: JobContext) => unknown;
