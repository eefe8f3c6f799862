import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createStorage } from '../../adapters/storage/create-storage.ts';
import { testFieldCipher } from '../test-support/test-field-cipher.ts';
import type { Storage } from '../../adapters/storage/storage.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import type { AuthService } from './auth-contract.ts';
import { AuthConfigError, createAuth } from './create-auth.ts';
import { linkly } from './auth-test-support.ts';

const SECRET = 's'.repeat(40);
const PASSWORD = 'correct horse battery';

/** A Linkly server with only the auth routes, a `/api/whoami` probe and a minimal problem+json handler. */
async function harness(model: SystemModel = linkly()) {
  const clock = { ms: Date.parse('2026-03-01T12:00:00Z') };
  const storage: Storage = await createStorage(model, { engine: 'sqlite', url: ':memory:', fieldCipher: testFieldCipher() });
  await storage.migrate();
  const auth: AuthService = createAuth(model, storage, { jwtSecret: SECRET, now: () => new Date(clock.ms) });
  const app: FastifyInstance = Fastify();
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ApiError) {
      if (err.extra.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.extra.retryAfterSeconds));
      return reply.code(err.status).type('application/problem+json').send(err.toProblem());
    }
    if ((err as { validation?: unknown }).validation) return reply.code(422).send({ code: 'validation_failed', detail: (err as Error).message });
    return reply.code(500).send({ code: 'internal', detail: String(err) });
  });
  auth.registerRoutes(app);
  app.get('/api/whoami', async (req) => (await auth.authenticate(req)) ?? { anonymous: true });
  const addUser = async (email: string, role = 'user', password = PASSWORD) => {
    const prepared = await auth.preparePassword(password, email);
    return storage.transaction(async (tx) => {
      const row = await tx.insert('User', { email, role });
      await auth.storePassword(tx, String(row.id), prepared);
      return String(row.id);
    });
  };
  const post = (url: string, payload: object, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: `/api${url}`, payload, headers });
  const whoami = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/api/whoami', headers });
  const login = async (email: string, password = PASSWORD) => {
    const res = await post('/auth/login', { email, password });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { accessToken: string; refreshToken: string; tokenType: string; expiresIn: number };
  };
  return { model, storage, auth, app, clock, addUser, post, whoami, login, bearer: (t: string) => ({ authorization: `Bearer ${t}` }) };
}

type Harness = Awaited<ReturnType<typeof harness>>;
let h: Harness;
beforeEach(async () => { h = await harness(); });
afterEach(async () => { await h.app.close(); await h.storage.close(); });

describe('login', () => {
  it('returns bearer tokens whose access token authenticates the user with their role', async () => {
    const id = await h.addUser('ann@example.com', 'admin');
    const tokens = await h.login('ann@example.com');
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await h.whoami(h.bearer(tokens.accessToken))).json()).toEqual({ userId: id, roles: ['admin'], via: 'jwt' });
  });

  it('gives identical responses for an unknown email and a wrong password', async () => {
    await h.addUser('ann@example.com');
    const unknown = await h.post('/auth/login', { email: 'nobody@example.com', password: PASSWORD });
    const wrong = await h.post('/auth/login', { email: 'ann@example.com', password: 'not the password' });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.json()).toMatchObject({ code: 'invalid_credentials', detail: 'The email address or the password is incorrect.' });
    expect(unknown.headers['content-type']).toBe(wrong.headers['content-type']);
  });

  it('locks the account out after 5 failures with 429 and Retry-After, even for the right password', async () => {
    await h.addUser('ann@example.com');
    for (let i = 0; i < 5; i++) expect((await h.post('/auth/login', { email: 'ann@example.com', password: `wrong-${i}-password` })).statusCode).toBe(401);
    h.clock.ms += 15_000;
    const locked = await h.post('/auth/login', { email: 'ann@example.com', password: PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('45');
    expect(locked.json()).toMatchObject({ code: 'too_many_requests' });
    h.clock.ms += 45_000;
    await h.login('ann@example.com');
  });

  it('refuses a body without a password before touching the account', async () => {
    const res = await h.post('/auth/login', { email: 'ann@example.com' });
    expect(res.statusCode).toBe(422);
  });
});

describe('access tokens over HTTP', () => {
  it('treats a request without credentials as anonymous', async () => {
    expect((await h.whoami({})).json()).toEqual({ anonymous: true });
  });

  it('rejects an expired access token with 401 invalid_token', async () => {
    await h.addUser('ann@example.com');
    const { accessToken } = await h.login('ann@example.com');
    h.clock.ms += 16 * 60_000;
    const res = await h.whoami(h.bearer(accessToken));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'invalid_token', detail: expect.stringMatching(/expired/) });
  });

  it('rejects alg:none and a non-Bearer scheme', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none' })}.${b64({ sub: 'x', roles: ['admin'], iss: 'linkly', aud: 'archspec', exp: 4e9 })}.`;
    expect((await h.whoami(h.bearer(none))).json()).toMatchObject({ status: 401, code: 'invalid_token', detail: 'Unsigned tokens (alg: none) are not accepted.' });
    expect((await h.whoami({ authorization: 'Basic YTpi' })).statusCode).toBe(401);
  });
});

describe('refresh tokens', () => {
  it('rotates: a refresh gives new tokens and a new refresh token that works in turn', async () => {
    const id = await h.addUser('ann@example.com');
    const first = await h.login('ann@example.com');
    const second = await h.post('/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.statusCode).toBe(200);
    const next = second.json();
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect((await h.whoami(h.bearer(next.accessToken))).json()).toMatchObject({ userId: id });
    expect((await h.post('/auth/refresh', { refreshToken: next.refreshToken })).statusCode).toBe(200);
  });

  it('revokes the family when a rotated refresh token is reused: the newest token stops working too', async () => {
    await h.addUser('ann@example.com');
    const first = await h.login('ann@example.com');
    const next = (await h.post('/auth/refresh', { refreshToken: first.refreshToken })).json();
    const reuse = await h.post('/auth/refresh', { refreshToken: first.refreshToken });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({ code: 'invalid_token', detail: expect.stringMatching(/already used/) });
    expect((await h.post('/auth/refresh', { refreshToken: next.refreshToken })).statusCode).toBe(401);
    expect((await h.whoami(h.bearer(next.accessToken))).statusCode).toBe(401);
  });

  it('refuses an unknown and an expired refresh token', async () => {
    await h.addUser('ann@example.com');
    expect((await h.post('/auth/refresh', { refreshToken: 'x'.repeat(43) })).statusCode).toBe(401);
    const { refreshToken } = await h.login('ann@example.com');
    h.clock.ms += 31 * 24 * 3_600_000;
    expect((await h.post('/auth/refresh', { refreshToken })).json()).toMatchObject({ code: 'invalid_token', detail: expect.stringMatching(/expired/) });
  });

  it('logout revokes the session: its refresh and access tokens stop working, other sessions go on', async () => {
    await h.addUser('ann@example.com');
    const phone = await h.login('ann@example.com');
    const laptop = await h.login('ann@example.com');
    expect((await h.post('/auth/logout', { refreshToken: phone.refreshToken })).statusCode).toBe(204);
    expect((await h.post('/auth/refresh', { refreshToken: phone.refreshToken })).statusCode).toBe(401);
    expect((await h.whoami(h.bearer(phone.accessToken))).statusCode).toBe(401);
    expect((await h.whoami(h.bearer(laptop.accessToken))).statusCode).toBe(200);
    expect((await h.post('/auth/refresh', { refreshToken: laptop.refreshToken })).statusCode).toBe(200);
  });

  it('logout with all: true revokes every session of the user', async () => {
    await h.addUser('ann@example.com');
    const phone = await h.login('ann@example.com');
    const laptop = await h.login('ann@example.com');
    h.clock.ms += 2_000;
    expect((await h.post('/auth/logout', { refreshToken: phone.refreshToken, all: true })).statusCode).toBe(204);
    expect((await h.post('/auth/refresh', { refreshToken: laptop.refreshToken })).statusCode).toBe(401);
    expect((await h.whoami(h.bearer(laptop.accessToken))).statusCode).toBe(401);
    const again = await h.login('ann@example.com');
    expect((await h.whoami(h.bearer(again.accessToken))).statusCode).toBe(200);
  });
});

describe('API keys', () => {
  it('authenticates with X-API-Key, and a revoked key fails', async () => {
    const id = await h.addUser('ann@example.com');
    const { accessToken } = await h.login('ann@example.com');
    const created = await h.post('/auth/api-keys', { name: 'ci' }, h.bearer(accessToken));
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key).toMatchObject({ roles: ['user'], name: 'ci' });
    expect(key.key).toMatch(new RegExp(`^ak_${key.id}_[A-Za-z0-9_-]{43}$`));
    expect((await h.whoami({ 'x-api-key': key.key })).json()).toEqual({ userId: id, roles: ['user'], via: 'api-key', apiKeyId: key.id });
    const del = await h.app.inject({ method: 'DELETE', url: `/api/auth/api-keys/${key.id}`, headers: h.bearer(accessToken) });
    expect(del.statusCode).toBe(204);
    const after = await h.whoami({ 'x-api-key': key.key });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'invalid_token', detail: expect.stringMatching(/revoked/) });
  });

  it('scopes a key to roles its creator holds and refuses others', async () => {
    await h.addUser('ann@example.com');
    const { accessToken } = await h.login('ann@example.com');
    const res = await h.post('/auth/api-keys', { roles: ['admin'] }, h.bearer(accessToken));
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/do not hold admin/);
  });

  it('requires a signed-in caller to create a key, and a key cannot mint keys', async () => {
    expect((await h.post('/auth/api-keys', {})).statusCode).toBe(401);
    await h.addUser('ann@example.com');
    const { accessToken } = await h.login('ann@example.com');
    const key = (await h.post('/auth/api-keys', {}, h.bearer(accessToken))).json();
    expect((await h.post('/auth/api-keys', {}, { 'x-api-key': key.key })).statusCode).toBe(403);
  });

  it('lets nobody but the owner (or a superuser) revoke a key', async () => {
    await h.addUser('ann@example.com');
    await h.addUser('bob@example.com');
    await h.addUser('root@example.com', 'admin');
    const ann = await h.login('ann@example.com');
    const key = (await h.post('/auth/api-keys', {}, h.bearer(ann.accessToken))).json();
    const bob = await h.login('bob@example.com');
    const byBob = await h.app.inject({ method: 'DELETE', url: `/api/auth/api-keys/${key.id}`, headers: h.bearer(bob.accessToken) });
    expect(byBob.statusCode).toBe(404);
    expect((await h.whoami({ 'x-api-key': key.key })).statusCode).toBe(200);
    const root = await h.login('root@example.com');
    expect((await h.app.inject({ method: 'DELETE', url: `/api/auth/api-keys/${key.id}`, headers: h.bearer(root.accessToken) })).statusCode).toBe(204);
    expect((await h.whoami({ 'x-api-key': key.key })).statusCode).toBe(401);
  });

  it('rejects a malformed and an unknown key', async () => {
    expect((await h.whoami({ 'x-api-key': 'nope' })).json()).toMatchObject({ code: 'invalid_token', detail: expect.stringMatching(/malformed/) });
    expect((await h.whoami({ 'x-api-key': `ak_${'0'.repeat(32)}_${'A'.repeat(43)}` })).json()).toMatchObject({ detail: 'The API key is not recognised.' });
  });
});

describe('preparePassword', () => {
  it('refuses a password under the policy with validation errors and stores nothing', async () => {
    const err = await h.addUser('ann@example.com', 'user', 'short').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).extra.errors).toEqual([{ pointer: '/password', detail: 'must be at least 10 characters long' }]);
    expect((await h.storage.list('User', { limit: 10 })).items).toEqual([]);
  });

  it('refuses the email address as password', async () => {
    const err = await h.addUser('ann.example@example.com', 'user', 'ann.example@example.com').catch((e: unknown) => e);
    expect((err as ApiError).extra.errors).toEqual([{ pointer: '/password', detail: 'must not be the email address' }]);
  });
});

describe('createAuth configuration', () => {
  it('refuses a JWT secret shorter than 32 bytes', () => {
    expect(() => createAuth(h.model, h.storage, { jwtSecret: 'short' })).toThrow(AuthConfigError);
  });

  it('refuses password login when the user entity has no email field', () => {
    const model = linkly((s) => { s.data.User.fields.login = s.data.User.fields.email; delete s.data.User.fields.email; s.requirements.data[0].fields = ['User.login', 'User.name']; });
    expect(() => createAuth(model, h.storage, { jwtSecret: SECRET })).toThrow(/User has no email field/);
  });

  it('registers no password routes for method oidc', async () => {
    const model = linkly((s) => { s.api.auth = { method: 'oidc', oidc: { issuer: 'https://id.example.com', audience: 'linkly' } }; });
    const app = Fastify();
    createAuth(model, h.storage, { jwtSecret: '' }).registerRoutes(app);
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: {} })).statusCode).toBe(404);
    await app.close();
  });
});
