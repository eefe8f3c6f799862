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
   * Announces a domain event declared in the spec's `events`. Events are kept until the transaction
   * commits and are then logged and appended to the server's in-memory event log (`app.archspecEvents`);
   * delivery to consumers (outbox, broker) arrives with the next milestone. An undeclared event throws.
   */
  emit(event: string, payload: Record<string, unknown>): Promise<void>;
  /** An in-process cache with TTLs, shared by the handlers of one server (Redis arrives with the next milestone). */
  cache: HandlerCache;
  /**
   * One client per integration of the spec (`requirements.integrations`): JSON over HTTP(S) to the
   * integration's `url` (`env:NAME` is read from the environment), each attempt bounded by its
   * `timeout`, idempotent calls retried `retry` times with jittered backoff. When every attempt fails,
   * an integration with `fallback: allow` resolves to null; any other throws ApiError
   * service_unavailable. The circuit breaker and bulkhead arrive with the next milestone.
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
  create(entity: string, values: Row): Promise<Row>;
  /** The updated record; undefined when absent; throws ApiError precondition_failed when `expectedVersion` is stale. */
  update(entity: string, id: string | number, patch: Row, options?: { expectedVersion?: number }): Promise<Row | undefined>;
  /** False when absent. */
  delete(entity: string, id: string | number): Promise<boolean>;
}

export interface HandlerLog {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface HandlerCache {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown, ttlMs?: number): void;
  delete(key: string): void;
}

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
