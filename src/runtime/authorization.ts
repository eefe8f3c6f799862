import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Endpoint, SystemModel } from '../model/system-model.ts';
import type { AuthService, Caller, Decision } from './auth/auth-contract.ts';
import { authorize } from './auth/authorize.ts';
import { ApiError } from './api-error.ts';

/**
 * Authentication and authorization stages. Every request is authenticated once (a bad token is a
 * 401 even on a public route, so a client learns its token is broken), except on the auth routes
 * that authenticate by their body; each spec endpoint then checks the caller's roles and learns the
 * scope (`own` or `all`) its handler must apply.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, or undefined for anonymous requests. */
    caller?: Caller;
    /** The authorization outcome of a spec endpoint (set before validation). */
    decision?: Extract<Decision, { allowed: true }>;
  }
  interface FastifyContextConfig {
    /** The spec endpoint key a route serves (`GET /links/{code}`). */
    endpoint?: string;
    /**
     * `body`: the route authenticates by what its body carries (login, refresh, logout), so the
     * authentication hook ignores Authorization and X-API-Key there: a stale token a client still
     * sends must not lock it out of the route that renews it.
     */
    credentials?: 'body';
  }
}

/** Adds the authentication hook: `request.caller` from the auth service, except on routes with `config.credentials: 'body'`. */
export function registerAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('caller', undefined);
  app.decorateRequest('decision', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.credentials === 'body') return;
    request.caller = await auth.authenticate(request);
  });
}

/** Route hook admitting only callers the spec allows on `endpoint` (401 unauthenticated, 403 forbidden). */
export function authorizationHook(model: SystemModel, endpoint: Endpoint): onRequestAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const decision = authorize(model, endpoint, request.caller);
    if (!decision.allowed) {
      throw decision.code === 'unauthenticated' ? ApiError.unauthenticated(decision.detail) : ApiError.forbidden(decision.detail);
    }
    request.decision = decision;
  };
}

/** The decision of the current route (set by {@link authorizationHook}; `all` when the route has none). */
export function scopeOf(request: FastifyRequest): 'own' | 'all' {
  return request.decision?.scope ?? 'all';
}

/** Converts a spec route (`/links/{code}`) to a Fastify URL under the base path (`/api/links/:code`). */
export function fastifyUrl(model: SystemModel, route: string): string {
  return `${model.api.basePath}${route.replace(/\{([^}]+)\}/g, ':$1')}`.replace(/\/$/, '') || '/';
}
