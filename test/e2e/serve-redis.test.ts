import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, deleteKeys, uniquePrefix } from '../conformance/redis-fixtures.ts';
import { serviceUrl } from '../support/services.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { ENGINES, serve, type Answer, type Served } from './serve-harness.ts';

/**
 * Two instances of one service over real HTTP, on one database and one Redis (`REDIS_URL`;
 * docs/commands/serve.md#caching and #rate-limits): a write through either invalidates the other's
 * cached records and answers at once, rate limits count one budget for both, and with Redis
 * unreachable every answer stays correct (uncached), limits count per instance, and nothing waits on Redis.
 */

const redis = await serviceUrl('redis');

/**
 * Linkly with GET /links/{code} answers cached for 60 s and POST /links limited to 4/min per caller.
 * User is not encrypted here: a remote cache never holds answers that may expand an encrypted
 * record (Link.owner -> User), and this suite is about sharing answers (cache-policy.test.ts covers that rule).
 */
const SPEC = (text: string) => {
  const edits: [string, string][] = [
    ['    - { rule: encrypted-at-rest, fields: [User.email, User.name] }\n', ''],
    ['GET /links/{code}:      { does: get Link, roles: [user, admin], scope: own }', 'GET /links/{code}:      { does: get Link, roles: [user, admin], scope: own, cache: 60s }'],
    ['rateLimit: 60/min, idempotent: true, summary: shorten a URL', 'rateLimit: 4/min, idempotent: true, summary: shorten a URL'],
  ];
  return edits.reduce((spec, [from, to]) => {
    if (!spec.includes(from)) throw new Error(`the Linkly spec no longer contains "${from}": update serve-redis.test.ts`);
    return spec.replace(from, to);
  }, text);
};

/**
 * The same, with every TTL at 8 s: long enough that the answer cached before the outage is still in
 * Redis when it comes back (the stale answer a missed invalidation would serve), short enough to
 * wait for the caching to resume afterwards (each instance distrusts the cache for the longest TTL).
 */
const SHORT_TTL_SPEC = (text: string) => {
  const spec = SPEC(text);
  const edits: [string, string][] = [['scope: own, cache: 60s }', 'scope: own, cache: 8s }'], ['cache: { Link: 60s, "GET /r/{code}": 60s }', 'cache: { Link: 8s, "GET /r/{code}": 8s }']];
  return edits.reduce((t, [from, to]) => {
    if (!t.includes(from)) throw new Error(`the Linkly spec no longer contains "${from}": update serve-redis.test.ts`);
    return t.replace(from, to);
  }, spec);
};

/** Two servers of Linkly on one `engine` database, both with `env`. B is closed first (A owns the database). */
async function pair(engine: (typeof ENGINES)[number], env: Record<string, string>, spec = SPEC): Promise<[Served, Served]> {
  const options = { spec, env, rateLimits: true, events: { dispatch: false } } as const;
  const a = await serve('linkly', engine, options);
  const b = await serve('linkly', engine, { ...options, databaseUrl: a.databaseUrl });
  return [a, b];
}

/** The sum of the samples of `name` on `s` whose labels contain every one of `labels` (GET /metrics). */
async function metric(s: Served, name: string, ...labels: string[]): Promise<number> {
  const text = String((await s.call('GET', '/metrics', { root: true })).body);
  return text.split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && labels.every((label) => l.includes(label)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Timed storage reads of one Link by id on `s` (made only when the cache could not answer). */
const linkReads = (s: Served) => metric(s, 'archspec_db_query_duration_seconds_count', 'operation="get"', 'entity="Link"');

async function newLink(s: Served, token: string, target: string): Promise<string> {
  const r = await s.call('POST', '/links', { token, body: { target } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return String(r.body.code);
}

async function retarget(s: Served, token: string, code: string, target: string): Promise<void> {
  const current = await s.call('GET', `/links/${code}`, { token, headers: { 'cache-control': 'no-cache' } });
  const r = await s.call('PATCH', `/links/${code}`, { token, body: { target }, headers: { 'if-match': String(current.headers.get('etag')) } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

const xCache = (r: Answer) => r.headers.get('x-cache');

/** Calls that must never answer 5xx, timed: `slowest()` is the longest one so far, in ms. */
function timedCalls(): { timed: (s: Served, ...args: Parameters<Served['call']>) => Promise<Answer>; slowest: () => number } {
  let slowest = 0;
  return {
    async timed(s, ...args) {
      const started = performance.now();
      const answer = await s.call(...args);
      slowest = Math.max(slowest, performance.now() - started);
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      return answer;
    },
    slowest: () => slowest,
  };
}

describe.skipIf(!redis.url)(`archspec serve on Redis (${redis.reason})`, () => {
  describe.each(ENGINES)('two instances sharing Redis, on %s', (engine) => {
    const namespace = uniquePrefix('serve');
    let a: Served;
    let b: Served;
    let ann: { id: string; token: string };

    beforeAll(async () => {
      [a, b] = await pair(engine, { REDIS_URL: redis.url!, ARCHSPEC_REDIS_PREFIX: namespace });
      ann = await a.account('ann@example.com');
    }, 60_000);
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await deleteKeys(redis.url!, namespace);
    });

    it('share cached records: a record one instance cached is a hit for the other, and a write through either shows at once', async () => {
      const code = await newLink(a, ann.token, 'https://ann.example/first');
      const [readsA, readsB] = [await linkReads(a), await linkReads(b)];
      expect((await b.call('GET', `/r/${code}`)).headers.get('location')).toBe('https://ann.example/first');
      expect((await a.call('GET', `/r/${code}`)).headers.get('location')).toBe('https://ann.example/first');
      // B loaded the record once; A found it in the shared cache.
      expect([await linkReads(a) - readsA, await linkReads(b) - readsB]).toEqual([0, 1]);

      await retarget(a, ann.token, code, 'https://ann.example/moved');
      expect((await b.call('GET', `/r/${code}`)).headers.get('location')).toBe('https://ann.example/moved');
      await retarget(b, ann.token, code, 'https://ann.example/back');
      expect((await a.call('GET', `/r/${code}`)).headers.get('location')).toBe('https://ann.example/back');
    });

    it('share cached answers: a write through A makes B answer fresh at once, not after the 60 s TTL', async () => {
      const code = await newLink(a, ann.token, 'https://ann.example/answer');
      const first = await b.call('GET', `/links/${code}`, { token: ann.token });
      expect([first.status, xCache(first)]).toEqual([200, 'miss']);
      const shared = await a.call('GET', `/links/${code}`, { token: ann.token });
      expect([xCache(shared), shared.body.target]).toEqual(['hit', 'https://ann.example/answer']);

      await retarget(a, ann.token, code, 'https://ann.example/answer-moved');
      const after = await b.call('GET', `/links/${code}`, { token: ann.token });
      expect([after.status, xCache(after), after.body.target]).toEqual([200, 'miss', 'https://ann.example/answer-moved']);
      expect(xCache(await a.call('GET', `/links/${code}`, { token: ann.token }))).toBe('hit');
    });

    it('count one rate-limit budget for both: 4/min split across A and B, the fifth refused by either', async () => {
      const bea = await b.account('bea@example.com');
      const statuses = [];
      for (const s of [a, b, a, b]) statuses.push((await s.call('POST', '/links', { token: bea.token, body: { target: 'https://bea.example/' } })).status);
      expect(statuses).toEqual([201, 201, 201, 201]);
      const refusedA = await a.call('POST', '/links', { token: bea.token, body: { target: 'https://bea.example/' } });
      const refusedB = await b.call('POST', '/links', { token: bea.token, body: { target: 'https://bea.example/' } });
      expect([refusedA.status, refusedB.status]).toEqual([429, 429]);
      expect(refusedB.headers.get('ratelimit-limit')).toBe('4');
    });
  });

  describe.each(ENGINES)('two instances whose Redis is unreachable, on %s', (engine) => {
    let a: Served;
    let b: Served;
    let cy: { id: string; token: string };
    const { timed, slowest } = timedCalls();

    beforeAll(async () => {
      [a, b] = await pair(engine, { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
      cy = await a.account('cy@example.com');
    }, 60_000);
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('answer correctly, uncached: a write through A shows through B at once', async () => {
      const created = await timed(a, 'POST', '/links', { token: cy.token, body: { target: 'https://cy.example/one' } });
      const code = String(created.body.code);
      for (let i = 0; i < 3; i++) {
        const read = await timed(b, 'GET', `/links/${code}`, { token: cy.token });
        expect([read.status, read.body.target]).toEqual([200, 'https://cy.example/one']);
        expect(xCache(read)).not.toBe('hit');
      }
      expect((await timed(b, 'GET', `/r/${code}`)).headers.get('location')).toBe('https://cy.example/one');
      const current = await timed(a, 'GET', `/links/${code}`, { token: cy.token });
      const patched = await timed(a, 'PATCH', `/links/${code}`, { token: cy.token, body: { target: 'https://cy.example/two' }, headers: { 'if-match': String(current.headers.get('etag')) } });
      expect(patched.status).toBe(200);
      expect((await timed(b, 'GET', `/links/${code}`, { token: cy.token })).body.target).toBe('https://cy.example/two');
      expect((await timed(b, 'GET', `/r/${code}`)).headers.get('location')).toBe('https://cy.example/two');
    });

    it('still limit, each instance counting on its own', async () => {
      const dan = await b.account('dan@example.com');
      const post = (s: Served) => timed(s, 'POST', '/links', { token: dan.token, body: { target: 'https://dan.example/' } }).then((r) => r.status);
      const onA = [];
      for (let i = 0; i < 5; i++) onA.push(await post(a));
      expect(onA).toEqual([201, 201, 201, 201, 429]);
      // B never saw A's hits: its own budget is untouched.
      expect(await post(b)).toBe(201);
    });

    it('went to Redis and counted its failures, yet never made a request wait on it', async () => {
      expect(await metric(a, 'archspec_cache_errors_total')).toBeGreaterThan(0);
      expect(await metric(a, 'archspec_counter_store_failures_total', 'engine="redis"')).toBeGreaterThan(0);
      expect(slowest()).toBeLessThan(1_000);
    });
  });

  describe.each(ENGINES)('two instances whose Redis goes down and comes back, on %s', (engine) => {
    const namespace = uniquePrefix('outage');
    let proxy: TcpProxy;
    let a: Served;
    let b: Served;
    const { timed, slowest } = timedCalls();
    const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
      for (const end = Date.now() + ms; !(await check());) {
        if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };

    beforeAll(async () => {
      proxy = await new TcpProxy('127.0.0.1', Number(new URL(redis.url!).port || 6379)).up();
      [a, b] = await pair(engine, { REDIS_URL: proxy.rewrite(redis.url!), ARCHSPEC_REDIS_PREFIX: namespace }, SHORT_TTL_SPEC);
    }, 60_000);
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await proxy?.down();
      await deleteKeys(redis.url!, namespace);
    });

    it('serves correct answers through the outage, uncached and limited per instance, never the answer a write during the outage replaced, then shares the cache and the limits again', async () => {
      const [gil, hal, ivy] = [await a.account('gil@example.com'), await b.account('hal@example.com'), await a.account('ivy@example.com')];
      const code = await newLink(a, gil.token, 'https://gil.example/before');
      expect(xCache(await b.call('GET', `/links/${code}`, { token: gil.token }))).toBe('miss');
      expect(xCache(await a.call('GET', `/links/${code}`, { token: gil.token }))).toBe('hit');

      await proxy.down();
      // A write during the outage: its invalidation cannot reach Redis, where the old answer stays.
      const current = await timed(a, 'GET', `/links/${code}`, { token: gil.token });
      const moved = await timed(a, 'PATCH', `/links/${code}`, { token: gil.token, body: { target: 'https://gil.example/during' }, headers: { 'if-match': String(current.headers.get('etag')) } });
      expect(moved.status).toBe(200);
      for (const s of [a, b, a, b]) {
        const read = await timed(s, 'GET', `/links/${code}`, { token: gil.token });
        expect([read.body.target, xCache(read)]).toEqual(['https://gil.example/during', 'miss']);
      }
      const onA = [];
      for (let i = 0; i < 5; i++) onA.push((await timed(a, 'POST', '/links', { token: hal.token, body: { target: 'https://hal.example/' } })).status);
      expect(onA).toEqual([201, 201, 201, 201, 429]);
      expect((await timed(b, 'POST', '/links', { token: hal.token, body: { target: 'https://hal.example/' } })).status).toBe(201);
      expect(slowest()).toBeLessThan(1_000);

      await proxy.up();
      const backAt = Date.now();
      // Back: no instance ever answers with the pre-outage entry still in Redis, and caching resumes
      // (each instance distrusts the cache for the longest TTL, 8 s here, after its last failure).
      await until('answers cached in Redis again', async () => {
        for (const s of [b, a]) {
          const read = await timed(s, 'GET', `/links/${code}`, { token: gil.token });
          expect(read.body.target).toBe('https://gil.example/during');
        }
        return xCache(await timed(b, 'GET', `/links/${code}`, { token: gil.token })) === 'hit';
      });
      expect(xCache(await timed(a, 'GET', `/links/${code}`, { token: gil.token }))).toBe('hit');
      // Invalidation across instances works again.
      await retarget(a, gil.token, code, 'https://gil.example/after');
      const after = await timed(b, 'GET', `/links/${code}`, { token: gil.token });
      expect([after.body.target, xCache(after)]).toEqual(['https://gil.example/after', 'miss']);
      // And one shared budget again: 4/min split across A and B, the fifth refused by either.
      // The counters try Redis again 5 s after their breaker opened (FallbackCounterStore's retryAfterMs).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, backAt + 5_500 - Date.now())));
      const statuses = [];
      for (const s of [a, b, a, b]) statuses.push((await timed(s, 'POST', '/links', { token: ivy.token, body: { target: 'https://ivy.example/' } })).status);
      expect(statuses).toEqual([201, 201, 201, 201]);
      expect((await timed(b, 'POST', '/links', { token: ivy.token, body: { target: 'https://ivy.example/' } })).status).toBe(429);
    }, 60_000);
  });
});
