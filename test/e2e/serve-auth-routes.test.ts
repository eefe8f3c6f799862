import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, serve, type Served } from './serve-harness.ts';

const PASSWORD = 'correct horse battery staple';
const ACCESS_TTL_MS = 15 * 60_000;

// Login, refresh and logout authenticate by their body: a stale Authorization header a client still
// sends must not lock it out of the very route that renews it. API key routes stay authenticated.
describe.each(ENGINES)('archspec serve: auth routes and the Authorization header on %s', (engine) => {
  let s: Served;
  let tokens: { accessToken: string; refreshToken: string };

  beforeAll(async () => {
    s = await serve('linkly', engine);
    await s.account('renew@example.com');
    const login = await s.call('POST', '/auth/login', { body: { email: 'renew@example.com', password: PASSWORD } });
    tokens = login.body;
  }, 60_000);
  afterAll(async () => s?.close());

  it('refreshes with the body\'s refresh token while an expired access token is still sent', async () => {
    s.advanceClock(ACCESS_TTL_MS + 60_000);
    try {
      expect((await s.call('GET', '/links', { token: tokens.accessToken })).body.code).toBe('invalid_token');
      const refreshed = await s.call('POST', '/auth/refresh', { token: tokens.accessToken, body: { refreshToken: tokens.refreshToken } });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
      expect((await s.call('GET', '/links', { token: refreshed.body.accessToken })).status).toBe(200);
    } finally {
      s.advanceClock(-(ACCESS_TTL_MS + 60_000));
    }
  });

  it('logs in and logs out whatever Authorization or X-API-Key header comes along', async () => {
    const garbage = { authorization: 'Bearer not.a.token', 'x-api-key': 'ak_bogus' };
    const login = await s.call('POST', '/auth/login', { headers: garbage, body: { email: 'renew@example.com', password: PASSWORD } });
    expect(login.status).toBe(200);
    const logout = await s.call('POST', '/auth/logout', { headers: garbage, body: { refreshToken: login.body.refreshToken } });
    expect(logout.status).toBe(204);
    const reuse = await s.call('POST', '/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(reuse.status).toBe(401);
  });

  it('still refuses an expired or missing access token on /auth/api-keys', async () => {
    const anonymous = await s.call('POST', '/auth/api-keys', { body: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('unauthenticated');
    const { accessToken } = (await s.call('POST', '/auth/login', { body: { email: 'renew@example.com', password: PASSWORD } })).body;
    s.advanceClock(ACCESS_TTL_MS + 60_000);
    try {
      const expired = await s.call('POST', '/auth/api-keys', { token: accessToken, body: {} });
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('invalid_token');
    } finally {
      s.advanceClock(-(ACCESS_TTL_MS + 60_000));
    }
    expect((await s.call('POST', '/auth/api-keys', { token: accessToken, body: {} })).status).toBe(201);
  });
});
