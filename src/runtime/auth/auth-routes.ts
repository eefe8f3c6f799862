import type { FastifyInstance, FastifyRequest } from 'fastify';
// Brings @fastify/swagger's `tags`/`summary` into FastifySchema: the OpenAPI document lists these routes.
import type {} from '@fastify/swagger';
import type { Storage } from '../../adapters/storage/storage.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import { isSuperuser } from '../../model/normalize/role-access.ts';
import type { Caller } from './auth-contract.ts';
import { createApiKey, revokeApiKey } from './api-keys.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { verifyDummyPassword, verifyPassword } from './password.ts';
import { logout, revokeFamily, rotateRefreshToken, startRefreshFamily, type RefreshConfig } from './refresh-tokens.ts';
import { signAccessToken, type AccessTokenConfig } from './tokens.ts';
import { findUserByEmail, findUserById, rolesOfUser, userIdOf } from './user-accounts.ts';

/** What the auth routes share with `createAuth`. */
export interface AuthContext {
  model: SystemModel;
  storage: Storage;
  now: () => Date;
  apiKeys: boolean;
  access: AccessTokenConfig;
  refresh: RefreshConfig;
  throttle: LoginThrottle;
  tagKey: Buffer;
  authenticate: (request: FastifyRequest) => Promise<Caller | undefined>;
}

const SECRET = { type: 'string', minLength: 1, maxLength: 200 } as const;
const TOKENS = {
  type: 'object', required: ['accessToken', 'refreshToken', 'tokenType', 'expiresIn'],
  properties: { accessToken: { type: 'string' }, refreshToken: { type: 'string' }, tokenType: { type: 'string', enum: ['Bearer'] }, expiresIn: { type: 'integer', description: 'seconds' } },
} as const;
/** Login, refresh and logout prove who is calling by their body; the pipeline ignores any Authorization header there. */
const BY_BODY = { credentials: 'body' } as const;
const BODY = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', additionalProperties: false, required, properties });

/**
 * Adds the auth routes under `api.basePath`: login, refresh and logout for `password+jwt`; API key
 * creation and revocation when API keys are on. Bodies are JSON-schema validated by fastify;
 * failures are thrown as ApiError for the pipeline's problem+json error handler.
 */
export function registerAuthRoutes(app: FastifyInstance, ctx: AuthContext): void {
  const base = `${ctx.model.api.basePath}/auth`;
  const expiresIn = Math.max(1, Math.round(ctx.access.ttlMs / 1000));
  const tokensFor = async (userId: string, roles: string[], familyId: string, refreshToken: string) =>
    ({ accessToken: await signAccessToken(ctx.access, userId, roles, familyId), refreshToken, tokenType: 'Bearer' as const, expiresIn });

  if (ctx.model.api.auth.method === 'password+jwt') {
    app.post<{ Body: { email: string; password: string } }>(`${base}/login`, {
      config: BY_BODY,
      schema: { tags: ['auth'], summary: 'Sign in with email and password', body: BODY({ email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1024 } }, ['email', 'password']), response: { 200: TOKENS } },
    }, async (request) => {
      const { email, password } = request.body;
      await ctx.throttle.check(email, request.ip);
      const user = await findUserByEmail(ctx.storage, ctx.model, email);
      const hash = user ? await ctx.storage.system.getPasswordHash(userIdOf(ctx.model, user)) : undefined;
      const valid = hash ? await verifyPassword(hash, password) : await verifyDummyPassword(password);
      if (!user || !valid) {
        await ctx.throttle.failed(email, request.ip);
        throw new ApiError('invalid_credentials', 'The email address or the password is incorrect.');
      }
      await ctx.throttle.succeeded(email);
      const userId = userIdOf(ctx.model, user);
      const { familyId, token } = await startRefreshFamily(ctx.storage.system, userId, ctx.refresh);
      return tokensFor(userId, rolesOfUser(ctx.model, user), familyId, token);
    });

    app.post<{ Body: { refreshToken: string } }>(`${base}/refresh`, {
      config: BY_BODY,
      schema: { tags: ['auth'], summary: 'Exchange a refresh token for new tokens (the old one stops working)', body: BODY({ refreshToken: SECRET }, ['refreshToken']), response: { 200: TOKENS } },
    }, async (request) => {
      const next = await rotateRefreshToken(ctx.storage, request.body.refreshToken, ctx.refresh);
      const user = await findUserById(ctx.storage, ctx.model, next.userId);
      if (!user) {
        await revokeFamily(ctx.storage.system, next.familyId, ctx.refresh);
        throw ApiError.invalidToken('The account of this refresh token no longer exists.');
      }
      return tokensFor(next.userId, rolesOfUser(ctx.model, user), next.familyId, next.token);
    });

    app.post<{ Body: { refreshToken: string; all?: boolean } }>(`${base}/logout`, {
      config: BY_BODY,
      schema: { tags: ['auth'], summary: 'Revoke this session, or with all: true every session of the account', body: BODY({ refreshToken: SECRET, all: { type: 'boolean' } }, ['refreshToken']), response: { 204: { type: 'null' } } },
    }, async (request, reply) => {
      await logout(ctx.storage.system, request.body.refreshToken, request.body.all === true, ctx.refresh);
      return reply.code(204).send();
    });
  }

  if (!ctx.apiKeys) return;
  app.post<{ Body: { name?: string; roles?: string[] } }>(`${base}/api-keys`, {
    schema: {
      tags: ['auth'], summary: 'Create an API key (the key is shown only in this response)',
      body: BODY({ name: { type: 'string', minLength: 1, maxLength: 100 }, roles: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } } }, []),
      response: { 201: { type: 'object', required: ['id', 'key', 'roles'], properties: { id: { type: 'string' }, key: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } }, name: { type: 'string' } } } },
    },
  }, async (request, reply) => {
    const caller = await signedIn(ctx, request);
    if (caller.via === 'api-key') throw ApiError.forbidden('API keys cannot create API keys; sign in to create one.');
    const created = await createApiKey(ctx.storage.system, caller, request.body?.roles, ctx.tagKey, ctx.now());
    return reply.code(201).send({ ...created, ...(request.body?.name ? { name: request.body.name } : {}) });
  });

  app.delete<{ Params: { id: string } }>(`${base}/api-keys/:id`, {
    schema: { tags: ['auth'], summary: 'Revoke an API key', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f]{32}$' } } }, response: { 204: { type: 'null' } } },
  }, async (request, reply) => {
    const caller = await signedIn(ctx, request);
    const mayRevokeAny = ctx.model.security.roles.some((r) => caller.roles.includes(r.name) && isSuperuser(r));
    await revokeApiKey(ctx.storage.system, request.params.id, { userId: caller.userId, mayRevokeAny }, ctx.tagKey, ctx.now());
    return reply.code(204).send();
  });
}

/** The caller of an auth route: the one the pipeline's authentication hook found, else authenticated here. */
async function signedIn(ctx: AuthContext, request: FastifyRequest): Promise<Caller> {
  // The server's onRequest hook stores the caller on the request; reuse it rather than verify twice.
  const known = (request as FastifyRequest & { caller?: Caller }).caller;
  const caller = known ?? (await ctx.authenticate(request));
  if (!caller) throw ApiError.unauthenticated();
  return caller;
}
