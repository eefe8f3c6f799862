import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { CounterStore } from '../../adapters/counters/counter-store.ts';
import { describeRules } from '../../model/normalize/rate-limit.ts';
import type { RateLimit, SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import type { AuthRouteServices } from '../auth/auth-contract.ts';
import { reuseMetric } from '../observability/storage-metrics.ts';
import { endpointRateLimit } from './endpoint-limits.ts';
import { RateLimiter, type RuleState } from './rate-limiter.ts';
import { openServerCounters } from './server-counters.ts';

/** Options of {@link registerRateLimits}. */
export interface RateLimitOptions {
  registry: Registry;
  /** The counter store to count in (default: the one the environment selects, closed with the app). */
  counters?: CounterStore;
  /** `false` turns the endpoint limits off (the login throttle stays). Default true. */
  enabled?: boolean;
  env?: Record<string, string | undefined>;
}

/** The RateLimit header names of the IETF draft (draft-ietf-httpapi-ratelimit-headers). */
const HEADERS = { limit: 'RateLimit-Limit', remaining: 'RateLimit-Remaining', reset: 'RateLimit-Reset' } as const;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function headersOf(state: RuleState): Record<string, string> {
  return {
    [HEADERS.limit]: String(state.rule.max),
    [HEADERS.remaining]: String(state.remaining),
    [HEADERS.reset]: String(seconds(state.resetInMs)),
  };
}

function refusal(endpointKey: string, exceeded: RuleState[], reported: RuleState): ApiError {
  const retry = seconds(reported.resetInMs);
  const budgets = describeRules(exceeded.map((s) => s.rule));
  return new ApiError('too_many_requests', `${endpointKey} allows ${budgets}; retry in ${retry} s.`, { retryAfterSeconds: retry, headers: headersOf(reported) });
}

/**
 * Enforces every endpoint's rate limit (see `endpointRateLimit`: the declared `rateLimit`, or the
 * sign-up default) in an onRequest hook that runs after authentication, so per-user and per-key
 * limits know the caller, and before authorization, validation and the handler, so refused requests
 * cost almost nothing. Answers beyond a limit are 429 `too_many_requests` with `Retry-After`; every
 * answer of a limited endpoint carries `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` (seconds). Refusals are counted in `archspec_rate_limited_total{endpoint,limit}`
 * (`limit`: caller, user, apiKey, ip, endpoint; login refusals as `POST /auth/login` with account or
 * ip). Returns what the auth routes need so the login throttle counts in the same store.
 *
 * Call it after `registerAuthentication` (hooks run in the order they are added) and before the
 * routes and `auth.registerRoutes`.
 *
 * @example
 * const authServices = await registerRateLimits(app, model, { registry: metrics.registry, counters: deps.counters });
 * deps.auth.registerRoutes(app, authServices);
 */
export async function registerRateLimits(app: FastifyInstance, model: SystemModel, options: RateLimitOptions): Promise<AuthRouteServices> {
  const { counters, owned } = await openServerCounters(options.counters, { registry: options.registry, log: app.log, env: options.env ?? process.env, systemName: model.system.name });
  if (owned) app.addHook('onClose', async () => counters.close());
  const limited = reuseMetric(options.registry, 'archspec_rate_limited_total', () => new Counter({
    name: 'archspec_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit or the login throttle, by endpoint and the limit that refused them.',
    labelNames: ['endpoint', 'limit'] as const,
    registers: [options.registry],
  }));
  const authServices: AuthRouteServices = {
    counters,
    onLoginRefused: (scopes) => { for (const scope of scopes) limited.inc({ endpoint: 'POST /auth/login', limit: scope }); },
  };
  if (options.enabled === false) return authServices;

  const limits = new Map<string, RateLimit>();
  for (const endpoint of model.api.endpoints) {
    const limit = endpointRateLimit(model, endpoint);
    if (limit) limits.set(endpoint.key, limit);
  }
  if (limits.size === 0) return authServices;
  const limiter = new RateLimiter(counters);
  const admit = async (request: FastifyRequest, reply: FastifyReply, endpointKey: string, limit: RateLimit) => {
    const { caller } = request;
    const { admitted, reported, exceeded } = await limiter.admit(endpointKey, limit, { ip: request.ip, userId: caller?.userId, apiKeyId: caller?.apiKeyId });
    if (!reported) return;
    if (!admitted) {
      for (const state of exceeded) limited.inc({ endpoint: endpointKey, limit: state.rule.per });
      throw refusal(endpointKey, exceeded, reported);
    }
    reply.headers(headersOf(reported));
  };
  // Callback style, so routes without a limit (most reads) pay no promise for this hook.
  app.addHook('onRequest', (request, reply, done) => {
    const endpointKey = request.routeOptions.config.endpoint;
    const limit = endpointKey === undefined ? undefined : limits.get(endpointKey);
    if (!endpointKey || !limit) return done();
    admit(request, reply, endpointKey, limit).then(() => done(), done);
  });
  return authServices;
}
