import { buildRateLimit } from '../../model/normalize/rate-limit.ts';
import type { Endpoint, RateLimit, SystemModel } from '../../model/system-model.ts';

/**
 * The limit sign-up gets when the spec declares none: accounts are cheap to create and each one
 * brings a fresh per-user budget, so account creation itself is limited per client IP.
 */
export const DEFAULT_SIGN_UP_LIMIT = '20/hour';

/** Whether `endpoint` is sign-up: the public create endpoint of the accounts entity (`api.auth.userEntity`). */
export function isSignUp(model: SystemModel, endpoint: Endpoint): boolean {
  return endpoint.operation === 'create' && endpoint.entity === model.api.auth.userEntity && endpoint.public;
}

/**
 * The rate limit `serve` enforces on `endpoint`: its declared `rateLimit`, else for sign-up
 * {@link DEFAULT_SIGN_UP_LIMIT} per IP, else none. The OpenAPI document describes the same.
 *
 * @example
 * endpointRateLimit(model, postUsers)?.description // '10/hour per caller' (declared) or '20/hour per IP' (default)
 */
export function endpointRateLimit(model: SystemModel, endpoint: Endpoint): RateLimit | undefined {
  if (endpoint.rateLimit) return endpoint.rateLimit;
  return isSignUp(model, endpoint) ? buildRateLimit({ ip: DEFAULT_SIGN_UP_LIMIT }) : undefined;
}
