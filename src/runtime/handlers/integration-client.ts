import type { Integration, SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import type { HandlerLog, IntegrationClient } from './handler-context.ts';

/**
 * `ctx.integrations.<name>`: JSON over HTTP(S) to one integration of the spec. Each attempt is bounded
 * by the integration's timeout; idempotent calls (GET, or POST with an idempotency key, or an
 * integration declared idempotent) are retried `retry` times with full-jitter backoff. When every
 * attempt fails, `fallback: allow` resolves to null and anything else throws service_unavailable.
 */

/** Timeout of an integration that declares none. */
export const DEFAULT_TIMEOUT_MS = 5_000;
const BACKOFF_BASE_MS = 50;

/** The integration's base URL: `env:NAME` is read from the environment at call time. */
export function baseUrlOf(integration: Integration, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!integration.url.startsWith('env:')) return integration.url;
  return env[integration.url.slice(4)] || undefined;
}

class AttemptError extends Error {}

async function attempt(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new AttemptError((e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs}ms` : (e as Error).message, { cause: e });
  }
  const text = await response.text();
  if (!response.ok) throw new AttemptError(`answered ${response.status}`);
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AttemptError('answered with a body that is not JSON', { cause: e });
  }
}

/** A client for `integration`, logging failures through `log`. */
export function integrationClient(integration: Integration, log: HandlerLog): IntegrationClient {
  const timeoutMs = integration.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const call = async (method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string>, idempotent: boolean) => {
    const base = baseUrlOf(integration);
    const attempts = idempotent ? 1 + integration.retries : 1;
    let failure = base ? '' : `its url ${integration.url} is not set`;
    for (let i = 0; base && i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, Math.random() * BACKOFF_BASE_MS * 2 ** i));
      try {
        return await attempt(new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`).href, {
          method,
          headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }, timeoutMs);
      } catch (e) {
        if (!(e instanceof AttemptError)) throw e;
        failure = e.message;
      }
    }
    log.warn({ integration: integration.name, method, path, failure }, `integration ${integration.name} failed`);
    if (integration.fallback === 'allow') return null;
    throw new ApiError('service_unavailable', `${integration.name} is unavailable (${failure}); retry shortly`, { retryAfterSeconds: 5 });
  };
  return {
    get: (path, options = {}) => call('GET', path, undefined, options.headers ?? {}, true),
    post: (path, body, options = {}) => call('POST', path, body, {
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}), ...(options.headers ?? {}),
    }, options.idempotencyKey !== undefined || integration.idempotent),
  };
}

/** One client per integration of the model, created once per server (breakers and bulkheads must see every call). */
export function integrationClients(model: SystemModel, log: HandlerLog): Record<string, IntegrationClient> {
  return Object.fromEntries(model.requirements.integrations.map((i) => [i.name, integrationClient(i, log)]));
}
