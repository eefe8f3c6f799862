import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterStore, CounterWindow } from '../../src/adapters/counters/counter-store.ts';
import { MemoryCounterStore } from '../../src/adapters/counters/memory/memory-counter-store.ts';
import { ENGINES, serve, type Answer, type Served } from './serve-harness.ts';

/**
 * Rate limits over real HTTP on Linkly with its limits lowered so tests reach them quickly:
 * POST /links 3/min per caller (string form), GET /links 3/min per IP, GET /links/{code} 4/min for
 * the whole endpoint, GET /r/{code} 3/s (window resets within the test), POST /users as declared
 * (10/hour per caller: the IP for anonymous sign-ups). trustProxy is on, so X-Forwarded-For names
 * the client address. The login throttle (loginLimit 5/min) counts through the server's CounterStore.
 */
const LOWERED = (text: string) => text
  .replace('rateLimit: 60/min, idempotent: true, summary: shorten a URL', 'rateLimit: 3/min, idempotent: true, summary: shorten a URL')
  .replace('GET /links:             { does: list Link, roles: [user, admin], scope: own,', 'GET /links:             { does: list Link, roles: [user, admin], scope: own, rateLimit: { ip: 3/min },')
  .replace('GET /links/{code}:      { does: get Link, roles: [user, admin], scope: own }', 'GET /links/{code}:      { does: get Link, roles: [user, admin], scope: own, rateLimit: { endpoint: 4/min } }')
  .replace('rateLimit: 600/min', 'rateLimit: 3/s');

const PASSWORD = 'correct horse battery staple';
const from = (ip: string) => ({ 'x-forwarded-for': ip });

/** A memory store that remembers the keys it was asked to count (to see the login throttle use it). */
class RecordingStore extends MemoryCounterStore {
  readonly keys = new Set<string>();
  override hit(key: string, windowMs: number, cost?: number): Promise<CounterWindow> {
    this.keys.add(key);
    return super.hit(key, windowMs, cost);
  }
}

/** A shared store that is down: every operation rejects, as a Redis client does when Redis is unreachable. */
class DownStore implements CounterStore {
  readonly engine = 'redis';
  readonly local = false;
  calls = 0;
  private fail(): Promise<never> {
    this.calls += 1;
    return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
  }
  hit(): Promise<CounterWindow> { return this.fail(); }
  peek(): Promise<CounterWindow> { return this.fail(); }
  reset(): Promise<void> { return this.fail(); }
  async close(): Promise<void> {}
}

function expectRefused(r: Answer, limit: string, detail: RegExp): void {
  expect(r.status, JSON.stringify(r.body)).toBe(429);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ type: 'https://archspec.dev/problems/too_many_requests', status: 429, code: 'too_many_requests', detail: expect.stringMatching(detail) });
  const retryAfter = Number(r.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(r.headers.get('ratelimit-limit')).toBe(limit);
  expect(r.headers.get('ratelimit-remaining')).toBe('0');
  expect(Number(r.headers.get('ratelimit-reset'))).toBe(retryAfter);
}

/** The value of a series in the Prometheus text of GET /metrics (0 when absent). */
async function metric(s: Served, name: string, labels: Record<string, string>): Promise<number> {
  const text = String((await s.call('GET', '/metrics', { root: true })).body);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe.each(ENGINES)('archspec serve: rate limits on %s', (engine) => {
  let s: Served;
  let counters: RecordingStore;
  let ann: { id: string; token: string };
  let bob: { id: string; token: string };
  let code: string;

  beforeAll(async () => {
    counters = new RecordingStore();
    s = await serve('linkly', engine, { spec: LOWERED, rateLimits: true, counters, trustProxy: true });
    ann = await s.account('ann@example.com');
    bob = await s.account('bob@example.com');
  }, 60_000);
  afterAll(async () => s?.close());

  it('limits each caller of a string-form limit, answering 429 problem+json with Retry-After and RateLimit headers', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await s.call('POST', '/links', { token: ann.token, body: { target: `https://example.org/${i}` } }));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0']);
    expect(answers[0]!.headers.get('ratelimit-limit')).toBe('3');
    expect(Number(answers[0]!.headers.get('ratelimit-reset'))).toBeGreaterThan(50);
    code = answers[0]!.body.code;
    const refused = await s.call('POST', '/links', { token: ann.token, body: { target: 'https://example.org/4' } });
    expectRefused(refused, '3', /POST \/links allows 3\/min per caller; retry in \d+ s/);
    const listed = await s.call('GET', '/links', { token: ann.token, headers: from('198.51.100.1') });
    expect(listed.body.items).toHaveLength(3);
  });

  it('gives separate users separate budgets', async () => {
    const r = await s.call('POST', '/links', { token: bob.token, body: { target: 'https://example.org/bob' } });
    expect(r.status).toBe(201);
    expect(r.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('limits API-key callers per key, apart from the user who made the key', async () => {
    const keys = [];
    for (const name of ['ci', 'backup']) {
      const created = await s.call('POST', '/auth/api-keys', { token: ann.token, body: { name } });
      expect(created.status).toBe(201);
      keys.push(String(created.body.key));
    }
    // ann spent her own budget in the first test; each key has one of its own.
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await s.call('POST', '/links', { headers: { 'x-api-key': keys[0]! }, body: { target: `https://example.org/k${i}` } }));
    expect(first.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expectRefused(first[3]!, '3', /3\/min per caller/);
    const second = await s.call('POST', '/links', { headers: { 'x-api-key': keys[1]! }, body: { target: 'https://example.org/other-key' } });
    expect(second.status).toBe(201);
    expect(second.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('limits per client IP across users, and not other IPs', async () => {
    const answers = [
      await s.call('GET', '/links', { token: ann.token, headers: from('203.0.113.5') }),
      await s.call('GET', '/links', { token: bob.token, headers: from('203.0.113.5') }),
      await s.call('GET', '/links', { headers: from('203.0.113.5') }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401]);
    // Counted before the role check: the anonymous request used the address's last request, and its 401 says so.
    expect(answers[2]!.headers.get('ratelimit-remaining')).toBe('0');
    expectRefused(await s.call('GET', '/links', { token: bob.token, headers: from('203.0.113.5') }), '3', /GET \/links allows 3\/min per IP/);
    const elsewhere = await s.call('GET', '/links', { token: bob.token, headers: from('203.0.113.6') });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('shares one budget among every caller of an endpoint-wide limit', async () => {
    const statuses = [];
    for (const [token, ip] of [[ann.token, '192.0.2.1'], [ann.token, '192.0.2.2'], [bob.token, '192.0.2.3'], [bob.token, '192.0.2.4']] as const) {
      statuses.push((await s.call('GET', `/links/${code}`, { token, headers: from(ip) })).status);
    }
    // bob may not read ann's link (404), but his requests still use the shared budget.
    expect(statuses).toEqual([200, 200, 404, 404]);
    expectRefused(await s.call('GET', `/links/${code}`, { token: ann.token, headers: from('192.0.2.99') }), '4', /4\/min for the whole endpoint/);
  });

  it('opens a new window when the old one ends (3/s)', async () => {
    const visit = () => s.call('GET', `/r/${code}`, { headers: from('198.51.100.20') });
    let answers = [await visit(), await visit(), await visit(), await visit()];
    if (answers.slice(0, 3).some((a) => a.status === 429)) {
      // The 1 s window turned over between the requests of a slow machine: start again at a fresh window.
      await sleep(1_100);
      answers = [await visit(), await visit(), await visit(), await visit()];
    }
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([302, 302, 302]);
    expectRefused(answers[3]!, '3', /GET \/r\/\{code\} allows 3\/s per caller/);
    expect(answers[3]!.headers.get('retry-after')).toBe('1');
    await sleep(1_100);
    const again = await visit();
    expect(again.status).toBe(302);
    expect(again.headers.get('ratelimit-remaining')).toBe('2');
  });

  it('limits sign-up to its declared 10/hour per address', async () => {
    const statuses = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await s.call('POST', '/users', { body: { email: `signup-${i}@example.com`, password: PASSWORD }, headers: from('203.0.113.77') })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
    const elsewhere = await s.call('POST', '/users', { body: { email: 'signup-elsewhere@example.com', password: PASSWORD }, headers: from('203.0.113.78') });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.headers.get('ratelimit-limit')).toBe('10');
  });

  it('throttles failed logins through the server\'s counter store (loginLimit 5/min)', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await s.call('POST', '/auth/login', { body: { email: 'bob@example.com', password: `wrong password ${i}` }, headers: from(`203.0.113.${100 + i}`) })).status).toBe(401);
    }
    const locked = await s.call('POST', '/auth/login', { body: { email: 'bob@example.com', password: PASSWORD }, headers: from('203.0.113.200') });
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ code: 'too_many_requests' });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);
    expect([...counters.keys]).toContain('login:account:bob@example.com');
    expect([...counters.keys]).toContain('login:ip:203.0.113.100');
  });

  it('counts refusals in archspec_rate_limited_total by endpoint and limit', async () => {
    expect(await metric(s, 'archspec_rate_limited_total', { endpoint: 'POST /links', limit: 'caller' })).toBe(2);
    expect(await metric(s, 'archspec_rate_limited_total', { endpoint: 'GET /links', limit: 'ip' })).toBe(1);
    expect(await metric(s, 'archspec_rate_limited_total', { endpoint: 'GET /links/{code}', limit: 'endpoint' })).toBe(1);
    expect(await metric(s, 'archspec_rate_limited_total', { endpoint: 'POST /users', limit: 'caller' })).toBe(1);
    expect(await metric(s, 'archspec_rate_limited_total', { endpoint: 'POST /auth/login', limit: 'account' })).toBe(1);
  });

  it('sends no RateLimit headers on endpoints without a limit', async () => {
    const r = await s.call('GET', `/users/${ann.id}`, { token: ann.token });
    expect(r.status).toBe(200);
    expect(r.headers.get('ratelimit-limit')).toBeNull();
  });
});

describe.each(ENGINES)('archspec serve: rate limits with the shared counter store down, on %s', (engine) => {
  let s: Served;
  let down: DownStore;

  beforeAll(async () => {
    down = new DownStore();
    // Sign-up without a declared limit gets the default of 20/hour per IP.
    s = await serve('linkly', engine, {
      spec: (text) => LOWERED(text).replace('public: true, rateLimit: 10/hour, idempotent: true, summary: sign up', 'public: true, idempotent: true, summary: sign up'),
      rateLimits: true, counters: down, trustProxy: true,
    });
  }, 60_000);
  afterAll(async () => s?.close());

  it('keeps limiting in local memory: the default sign-up limit of 20/hour per IP holds, no request fails with 500', async () => {
    const statuses = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await s.call('POST', '/users', { body: { email: `down-${i}@example.com`, password: PASSWORD }, headers: from('203.0.113.9') })).status);
    }
    expect(statuses).toEqual([...Array(20).fill(201), 429]);
    const first = await s.call('POST', '/users', { body: { email: 'down-other@example.com', password: PASSWORD }, headers: from('203.0.113.10') });
    expect(first.status).toBe(201);
    expect(first.headers.get('ratelimit-limit')).toBe('20');
    expect(first.headers.get('ratelimit-remaining')).toBe('19');
  });

  it('limits per caller and throttles logins locally too', async () => {
    const login = await s.call('POST', '/auth/login', { body: { email: 'down-other@example.com', password: PASSWORD } });
    expect(login.status).toBe(200);
    const token = String(login.body.accessToken);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await s.call('POST', '/links', { token, body: { target: `https://example.org/d${i}` } })).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    for (let i = 0; i < 5; i++) expect((await s.call('POST', '/auth/login', { body: { email: 'down-1@example.com', password: 'not it at all' } })).status).toBe(401);
    expect((await s.call('POST', '/auth/login', { body: { email: 'down-1@example.com', password: PASSWORD } })).status).toBe(429);
  });

  it('counted the store\'s failures and stopped calling it once its breaker opened', async () => {
    const failures = await metric(s, 'archspec_counter_store_failures_total', { engine: 'redis', operation: 'hit' });
    expect(failures).toBeGreaterThanOrEqual(1);
    // The breaker opens after 3 consecutive failures and retries every 5 s: far fewer calls than requests.
    expect(down.calls).toBeLessThan(10);
  });
});
