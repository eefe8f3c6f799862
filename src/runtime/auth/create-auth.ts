import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.ts';
import type { AuthService, Caller, CreateAuth } from './auth-contract.ts';
import { apiKeyTagKey, findValidApiKey } from './api-keys.ts';
import { registerAuthRoutes, type AuthContext } from './auth-routes.ts';
import { MemoryCounterStore } from '../../adapters/counters/memory/memory-counter-store.ts';
import { LoginThrottle, loginLimitOf } from './login-throttle.ts';
import { oidcVerifier } from './oidc.ts';
import { hashPassword, passwordProblems, prepareDummyHash } from './password.ts';
import { SessionRevocations } from './session-revocations.ts';
import { tokenIssuer, verifyAccessToken } from './tokens.ts';
import { findUserById, rolesOfUser, userEntityOf } from './user-accounts.ts';

/** The server's auth configuration is unusable (an operational error: the CLI explains it and exits). */
export class AuthConfigError extends Error {
  readonly code = 'auth_config_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

/**
 * Authentication as the spec's `api.auth` describes it.
 *
 * - `password+jwt`: `Authorization: Bearer <access token>` (HS256, signed with `jwtSecret`), issued
 *   by POST {basePath}/auth/login and /auth/refresh; POST /auth/logout revokes.
 * - `oidc`: `Authorization: Bearer <JWT>` from `api.auth.oidc.issuer`, checked against its JWKS.
 * - API keys (`apiKeys: true` or `method: api-key`): `X-API-Key: ak_<id>_<secret>`, created with
 *   POST /auth/api-keys, revoked with DELETE /auth/api-keys/{id}; a key acts with its roles that
 *   its user still holds.
 * - `none`: nobody is ever authenticated.
 *
 * @throws AuthConfigError when a method that signs tokens or keys has a secret shorter than 32 bytes,
 *   or password login is on and the user entity has no `email` field
 * @example
 * const auth = createAuth(model, storage, { jwtSecret: process.env.ARCHSPEC_JWT_SECRET! });
 * auth.registerRoutes(app);
 * app.addHook('preHandler', async (req) => { req.caller = await auth.authenticate(req); });
 */
export const createAuth: CreateAuth = (model, storage, options) => {
  const auth = model.api.auth;
  const apiKeys = auth.apiKeys || auth.method === 'api-key';
  if ((auth.method === 'password+jwt' || apiKeys) && Buffer.byteLength(options.jwtSecret ?? '', 'utf8') < 32) {
    throw new AuthConfigError('ARCHSPEC_JWT_SECRET must be at least 32 bytes (e.g. `openssl rand -base64 48`).');
  }
  if (auth.method === 'password+jwt' && !userEntityOf(model).fields.some((f) => f.name === 'email')) {
    throw new AuthConfigError(`password login finds accounts by email, but ${auth.userEntity} has no email field`);
  }
  const now = options.now ?? (() => new Date());
  const revocations = new SessionRevocations(auth.accessTtlMs);
  const ctx: AuthContext = {
    model, storage, now, apiKeys,
    access: { key: new TextEncoder().encode(options.jwtSecret), issuer: tokenIssuer(model), ttlMs: auth.accessTtlMs, now },
    refresh: { ttlMs: auth.refreshTtlMs, now, revocations },
    // Replaced by one over the server's counter store when the server passes one to registerRoutes.
    throttle: new LoginThrottle(new MemoryCounterStore({ now: () => now().getTime() }), loginLimitOf(model)),
    tagKey: apiKeyTagKey(options.jwtSecret ?? ''),
    authenticate: (request) => authenticate(request),
  };
  const verifyOidc = auth.method === 'oidc' ? oidcVerifier(model, now) : undefined;
  if (auth.method === 'password+jwt') void prepareDummyHash();

  async function authenticate(request: FastifyRequest): Promise<Caller | undefined> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) return bearer(authorization);
    const key = request.headers['x-api-key'];
    if (key === undefined) return undefined;
    if (!apiKeys) throw ApiError.invalidToken('This API does not accept API keys.');
    if (typeof key !== 'string') throw ApiError.invalidToken('Send exactly one X-API-Key header.');
    return apiKeyCaller(key);
  }

  async function bearer(header: string): Promise<Caller> {
    const token = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    if (!token) throw ApiError.invalidToken('Send the token as "Authorization: Bearer <token>".');
    if (verifyOidc) return verifyOidc(token);
    if (auth.method !== 'password+jwt') throw ApiError.invalidToken(apiKeys ? 'This API accepts API keys (X-API-Key), not bearer tokens.' : 'This API does not accept bearer tokens.');
    const claims = await verifyAccessToken(ctx.access, token);
    if (revocations.isRevoked(claims)) throw ApiError.invalidToken('The access token was revoked by a logout; sign in again.');
    return { userId: claims.userId, roles: claims.roles, via: 'jwt' };
  }

  async function apiKeyCaller(key: string): Promise<Caller> {
    const record = await findValidApiKey(storage.system, key);
    const user = await findUserById(storage, model, record.userId);
    if (!user) throw ApiError.invalidToken(`The account of API key ${record.id} no longer exists.`);
    const held = rolesOfUser(model, user);
    return { userId: record.userId, roles: record.roles.filter((r) => held.includes(r)), via: 'api-key', apiKeyId: record.id };
  }

  const service: AuthService = {
    authenticate,
    registerRoutes: (app, services = {}) => registerAuthRoutes(app, services.counters || services.onLoginRefused
      ? { ...ctx, throttle: new LoginThrottle(services.counters ?? new MemoryCounterStore(), loginLimitOf(model), { onRefused: services.onLoginRefused }) }
      : ctx),
    preparePassword: async (password, email) => {
      const problems = passwordProblems(password, email);
      if (problems.length > 0) throw ApiError.validation(problems);
      return { hash: await hashPassword(password) };
    },
    storePassword: async (tx, userId, prepared) => {
      await tx.setPasswordHash(userId, prepared.hash);
    },
  };
  return service;
};
