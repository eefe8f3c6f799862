import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.ts';
import { databaseOutageOf } from './outage-log.ts';

/**
 * Probes for orchestrators and load balancers. GET /healthz (liveness) answers 200 whenever the
 * process serves HTTP: restarting it would not fix a database outage. GET /readyz (readiness)
 * answers 200 only when the database answers and its schema matches the spec, so traffic goes
 * elsewhere during an outage, a pending migration or a shutdown drain. It also shows each
 * integration's circuit breaker, for information only (see {@link HealthOptions.integrations}).
 */

/** What readiness checks: the storage's `ping` and `isMigrated` fit as they are. */
export interface HealthChecks {
  /** Resolves when the database answers; throws otherwise. */
  ping(): Promise<void>;
  /** Whether the database schema matches the model. */
  isMigrated(): Promise<boolean>;
}

/** Options of {@link registerHealth}. */
export interface HealthOptions {
  /** Longest wait for one check before it counts as failed, ms (default 2000; probes time out too). */
  timeoutMs?: number;
  /** True while the server drains for shutdown: readiness then fails so no new traffic arrives. */
  draining?: () => boolean;
  /**
   * The integrations' circuit breakers, shown as the `integrations` check. An open breaker never
   * fails readiness: this instance is healthy and its fallback answers (or it fails fast with
   * 503s); every instance shares the same provider, so taking this one out of rotation would only
   * move the same traffic to instances facing the same outage, or take the whole service down.
   */
  integrations?: () => IntegrationBreaker[];
  /**
   * Read replicas serving reads, of those configured, shown as the `replicas` check. A replica that
   * is down never fails readiness: the primary answers its reads.
   */
  replicas?: () => { usable: number; total: number };
}

/** One integration's circuit breaker as readiness shows it (`none`: no breaker declared). */
export interface IntegrationBreaker {
  integration: string;
  state: 'closed' | 'half-open' | 'open' | 'none';
  fallback?: string;
}

/** Seconds a probe should wait before asking again after a failed readiness check. */
export const READY_RETRY_AFTER_SECONDS = 5;

type CheckResult = { status: 'ok'; detail?: string } | { status: 'fail' | 'skipped'; detail: string };

/**
 * Adds GET /healthz and GET /readyz to `app`. A failed readiness answer is a 503
 * application/problem+json (`code: service_unavailable`) with `Retry-After: 5` and a `checks`
 * member giving each check's status and what is wrong; check errors are logged, not returned,
 * since they can name hosts. With `options.integrations`, an `integrations` check (always `ok`)
 * details each breaker, e.g. `safebrowsing: open (fallback allow); geoip: closed`; with
 * `options.replicas`, a `replicas` check (always `ok`) says how many read replicas are usable,
 * e.g. `1 of 2 read replicas usable (the primary serves the reads of the others)`. Both answers are
 * `Cache-Control: no-store`.
 *
 * @example
 * registerHealth(app, { ping: () => storage.ping(), isMigrated: () => storage.isMigrated() }, { draining: () => closing, integrations: () => set.breakers() });
 */
export function registerHealth(app: FastifyInstance, checks: HealthChecks, options: HealthOptions = {}): void {
  const timeoutMs = options.timeoutMs ?? 2000;

  app.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const results: Record<string, CheckResult> = {};
    if (options.draining?.()) results.shutdown = { status: 'fail', detail: 'the server is shutting down' };
    try {
      await withTimeout(checks.ping(), timeoutMs);
      results.database = { status: 'ok' };
      databaseOutageOf(app.server).ok(request.log);
      const migrated = await withTimeout(checks.isMigrated(), timeoutMs);
      results.migrations = migrated ? { status: 'ok' } : { status: 'fail', detail: 'the database schema does not match the spec; run archspec migrate' };
    } catch (error) {
      // A database outage is logged once (shared with the request error handler), not per probe.
      if (results.database) request.log.warn({ err: error }, 'readiness check failed');
      else databaseOutageOf(app.server).failed(request.log, error);
      if (!results.database) {
        results.database = { status: 'fail', detail: error instanceof TimeoutError ? `no answer within ${timeoutMs} ms` : 'the database did not answer' };
        results.migrations = { status: 'skipped', detail: 'needs the database' };
      } else {
        results.migrations = { status: 'fail', detail: error instanceof TimeoutError ? `no answer within ${timeoutMs} ms` : 'the migration history could not be read' };
      }
    }
    const breakers = options.integrations?.() ?? [];
    if (breakers.length) results.integrations = { status: 'ok', detail: breakers.map(breakerText).join('; ') };
    const replicas = options.replicas?.();
    if (replicas) results.replicas = { status: 'ok', detail: `${replicas.usable} of ${replicas.total} read replicas usable${replicas.usable < replicas.total ? ' (the primary serves the reads of the others)' : ''}` };
    const failed = Object.entries(results).filter(([, r]) => r.status === 'fail').map(([name]) => name);
    if (!failed.length) return { status: 'ok', checks: results };
    const problem = new ApiError('service_unavailable', `not ready: ${failed.join(', ')} check${failed.length > 1 ? 's' : ''} failed`);
    return reply.status(503).header('retry-after', String(READY_RETRY_AFTER_SECONDS)).type('application/problem+json')
      .send({ ...problem.toProblem(request.url), checks: results });
  });
}

/** `safebrowsing: open (fallback allow)`, `geoip: closed`, `mailer: no breaker`. */
function breakerText(b: IntegrationBreaker): string {
  if (b.state === 'none') return `${b.integration}: no breaker`;
  return b.state === 'closed' ? `${b.integration}: closed` : `${b.integration}: ${b.state} (fallback ${b.fallback ?? 'none'})`;
}

class TimeoutError extends Error {}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
