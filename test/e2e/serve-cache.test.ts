import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { CacheStore } from '../../src/adapters/cache/cache-store.ts';
import { createMemoryCacheStore } from '../../src/adapters/cache/memory/memory-cache-store.ts';
import { ENGINES, serve, type Answer, type Served } from './serve-harness.ts';

/**
 * Caching over real HTTP (docs/commands/serve.md#caching): GET answers and records cached with the
 * spec's TTLs (shortened here), keyed so no caller gets another's data, invalidated by every
 * committed write, one load per key however many callers miss at once, and a cache that fails is a
 * miss, never an error.
 */

/** Applies regex edits to a spec text, failing loudly when the example no longer matches one. */
function edited(edits: [RegExp, string][]): (spec: string) => string {
  return (spec) => edits.reduce((text, [pattern, replacement]) => {
    if (!pattern.test(text)) throw new Error(`the Linkly spec no longer matches ${pattern}: update serve-cache.test.ts`);
    return text.replace(pattern, replacement);
  }, spec);
}

/** Linkly with short TTLs: the answers of its reads cached, `GET /links/{link}/visits` for 400 ms only. */
const SHORT_TTLS: [RegExp, string][] = [
  [/(GET \/links: +\{ does: list Link, roles: \[user, admin\], scope: own,)/, '$1 cache: 2s,'],
  [/(GET \/links\/\{code\}: +\{ does: get Link, roles: \[user, admin\], scope: own)/, '$1, cache: 2s'],
  [/(GET \/users\/\{id\}: +\{ does: get User, roles: \[user, admin\], scope: own,)/, '$1 cache: 2s,'],
  [/(GET \/links\/\{link\}\/visits: \{ does: list Visit, roles: \[user, admin\],)/, '$1 cache: 400ms,'],
  [/cache: \{ Link: 60s, "GET \/r\/\{code\}": 60s \}/, 'cache: { Link: 2s, "GET /r/{code}": 2s }'],
  [/(public: true\n\s+)cache: 60s/, '$1cache: 2s'],
];

const FIXTURES = join(process.cwd(), 'test', 'e2e', 'fixtures', 'cache');

/** Custom endpoints: a cached GET handler reading a Link, and ctx.cache behind PUT/GET /memo/{key}. */
const HANDLERS: [RegExp, string][] = [[/\n  endpoints:\n/, `
  endpoints:
    GET /links/{code}/summary: { handler: ${join(FIXTURES, 'link-summary.ts')}, roles: [user, admin], cache: 2s, component: links }
    PUT /memo/{key}: { handler: ${join(FIXTURES, 'memo-write.ts')}, roles: [user, admin], component: links }
    GET /memo/{key}: { handler: ${join(FIXTURES, 'memo-read.ts')}, roles: [user, admin], component: links }
`]];

/** Users may read every link (role-keyed answers) and only their own account (expand of owner per user). */
const SHARED_LINKS: [RegExp, string][] = [
  [/user: \[Link:create, Link:read:own,/, 'user: [Link:create, Link:read,'],
  [/GET \/links:( +)\{ does: list Link, roles: \[user, admin\], scope: own,/, 'GET /links:$1{ does: list Link, roles: [user, admin],'],
];

const maxEntries = (n: number): [RegExp, string] => [/cache: \{ engine: redis, maxEntries: 100000 \}/, `cache: { engine: redis, maxEntries: ${n} }`];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sum of the samples of `name` whose labels include `labels`, from GET /metrics. */
async function metric(s: Served, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = String((await s.call('GET', '/metrics', { root: true })).body);
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) total += Number(m[3]);
  }
  return total;
}

/** Database reads of one Link by id (timed storage calls, made only when the cache could not answer). */
const linkReads = (s: Served) => metric(s, 'archspec_db_query_duration_seconds_count', { operation: 'get', entity: 'Link' });

const xCache = (r: Answer) => r.headers.get('x-cache');

async function newLink(s: Served, token: string, target: string): Promise<string> {
  const r = await s.call('POST', '/links', { token, body: { target } });
  expect(r.status).toBe(201);
  return String(r.body.code);
}

async function patchLink(s: Served, token: string, code: string, body: Record<string, unknown>): Promise<Answer> {
  const current = await s.call('GET', `/links/${code}`, { token, headers: { 'cache-control': 'no-cache' } });
  return s.call('PATCH', `/links/${code}`, { token, body, headers: { 'if-match': String(current.headers.get('etag')) } });
}

describe.each(ENGINES)('archspec serve: caching on %s', (engine) => {
  let s: Served;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    s = await serve('linkly', engine, { spec: edited([...SHORT_TTLS, ...HANDLERS]), events: { dispatch: false } });
    alice = await s.account('alice@example.com');
    bob = await s.account('bob@example.com');
  }, 60_000);
  afterAll(async () => s?.close());

  it('answers a miss, then the stored answer as a hit without reading the database', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/one');
    const first = await s.call('GET', `/links/${code}`, { token: alice.token });
    expect([first.status, xCache(first)]).toEqual([200, 'miss']);
    // A write behind the server's back (no invalidation): only a cached answer still shows the old target.
    await s.storage.update('Link', code, { target: 'https://changed.example/' });
    const second = await s.call('GET', `/links/${code}`, { token: alice.token });
    expect([second.status, xCache(second)]).toEqual([200, 'hit']);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('age')).toMatch(/^\d+$/);
    expect(second.headers.get('x-request-id')).toBeTruthy();
  });

  it('honours Cache-Control: no-cache with a fresh answer, which later requests then get', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/fresh');
    await s.call('GET', `/links/${code}`, { token: alice.token });
    await s.storage.update('Link', code, { target: 'https://alice.example/behind' });
    const fresh = await s.call('GET', `/links/${code}`, { token: alice.token, headers: { 'cache-control': 'no-cache' } });
    expect([xCache(fresh), fresh.body.target]).toEqual(['miss', 'https://alice.example/behind']);
    const after = await s.call('GET', `/links/${code}`, { token: alice.token });
    expect([xCache(after), after.body.target]).toEqual(['hit', 'https://alice.example/behind']);
  });

  it("never serves one user's own-scoped list to another", async () => {
    await newLink(s, bob.token, 'https://bob.example/only');
    const targets = (r: Answer) => (r.body.items as { target: string }[]).map((l) => l.target);
    const a1 = await s.call('GET', '/links?sort=code', { token: alice.token });
    const b1 = await s.call('GET', '/links?sort=code', { token: bob.token });
    expect(xCache(b1)).toBe('miss');
    expect(targets(b1)).toEqual(['https://bob.example/only']);
    expect(targets(a1)).not.toContain('https://bob.example/only');
    const a2 = await s.call('GET', '/links?sort=code', { token: alice.token });
    const b2 = await s.call('GET', '/links?sort=code', { token: bob.token });
    expect([xCache(a2), xCache(b2)]).toEqual(['hit', 'hit']);
    expect(a2.body).toEqual(a1.body);
    expect(b2.body).toEqual(b1.body);
  });

  it('authorizes before looking anything up: no cached answer for a caller without access', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/private');
    expect(xCache(await s.call('GET', `/links/${code}`, { token: alice.token }))).toBe('miss');
    const anonymous = await s.call('GET', `/links/${code}`);
    expect(anonymous.status).toBe(401);
    expect(xCache(anonymous)).toBeNull();
    const other = await s.call('GET', `/links/${code}`, { token: bob.token });
    expect(other.status).toBe(404);
  });

  it('keys query strings canonically: the same parameters in another order are one entry', async () => {
    const first = await s.call('GET', '/links?limit=5&sort=-code', { token: alice.token });
    const reordered = await s.call('GET', '/links?sort=-code&limit=5', { token: alice.token });
    expect([xCache(first), xCache(reordered)]).toEqual(['miss', 'hit']);
    expect(xCache(await s.call('GET', '/links?sort=-code&limit=6', { token: alice.token }))).toBe('miss');
  });

  it('sees creates, updates and deletes at once', async () => {
    const targets = async () => {
      const r = await s.call('GET', '/links?limit=100', { token: alice.token });
      return { cache: xCache(r), targets: (r.body.items as { target: string }[]).map((l) => l.target) };
    };
    await targets();
    expect((await targets()).cache).toBe('hit');
    const code = await newLink(s, alice.token, 'https://alice.example/created');
    expect(await targets()).toMatchObject({ cache: 'miss', targets: expect.arrayContaining(['https://alice.example/created']) });

    expect(xCache(await s.call('GET', `/links/${code}`, { token: alice.token }))).toBe('miss');
    expect(xCache(await s.call('GET', `/links/${code}`, { token: alice.token }))).toBe('hit');
    expect((await patchLink(s, alice.token, code, { title: 'renamed' })).status).toBe(200);
    const updated = await s.call('GET', `/links/${code}`, { token: alice.token });
    expect([xCache(updated), updated.body.title]).toEqual(['miss', 'renamed']);

    const deleted = await s.call('DELETE', `/links/${code}`, { token: alice.token });
    expect(deleted.status).toBe(204);
    expect((await s.call('GET', `/links/${code}`, { token: alice.token })).status).toBe(404);
    expect((await targets()).targets).not.toContain('https://alice.example/created');
  });

  it('sees a change of an expanded record: the list is tagged with the entities expand pulled in', async () => {
    const owner = async () => {
      const r = await s.call('GET', '/links?expand=owner&limit=1', { token: alice.token });
      expect(r.status).toBe(200);
      return { cache: xCache(r), name: (r.body.items[0].owner as { name?: string }).name };
    };
    await owner();
    expect((await owner()).cache).toBe('hit');
    const me = await s.call('GET', `/users/${alice.id}`, { token: alice.token, headers: { 'cache-control': 'no-cache' } });
    const renamed = await s.call('PATCH', `/users/${alice.id}`, { token: alice.token, body: { name: 'Alice Renamed' }, headers: { 'if-match': String(me.headers.get('etag')) } });
    expect(renamed.status).toBe(200);
    expect(await owner()).toEqual({ cache: 'miss', name: 'Alice Renamed' });
  });

  it('redirects GET /r/{code} from the cached Link record, still emitting link.visited on every visit', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/visit');
    const visited = async () => Number((await sql<{ n: unknown }>`select count(*) as n from _archspec_outbox where event = 'link.visited'`.execute(s.storage.kysely)).rows[0]!.n);
    const eventsBefore = await visited();
    const readsBefore = await linkReads(s);
    const first = await s.call('GET', `/r/${code}`);
    const second = await s.call('GET', `/r/${code}`);
    expect([first.status, first.headers.get('location')]).toEqual([302, 'https://alice.example/visit']);
    expect([second.status, second.headers.get('location')]).toEqual([302, 'https://alice.example/visit']);
    expect(await linkReads(s) - readsBefore).toBe(1);
    expect(await visited() - eventsBefore).toBe(2);
    // The redirect itself is never a cached answer: its handler ran both times.
    expect(xCache(second)).toBeNull();

    expect((await patchLink(s, alice.token, code, { target: 'https://alice.example/moved' })).status).toBe(200);
    expect((await s.call('GET', `/r/${code}`)).headers.get('location')).toBe('https://alice.example/moved');
    expect((await s.call('DELETE', `/links/${code}`, { token: alice.token })).status).toBe(204);
    expect((await s.call('GET', `/r/${code}`)).status).toBe(404);
  });

  it('caches an unknown code as absent until a record with it is created', async () => {
    const readsBefore = await linkReads(s);
    expect((await s.call('GET', '/r/NoSuchCd')).status).toBe(404);
    expect((await s.call('GET', '/r/NoSuchCd')).status).toBe(404);
    expect(await linkReads(s) - readsBefore).toBe(1);
  });

  it('expires answers after their TTL', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/ttl');
    const visits = async () => {
      const r = await s.call('GET', `/links/${code}/visits`, { token: alice.token });
      return { cache: xCache(r), count: (r.body.items as unknown[]).length };
    };
    expect(await visits()).toEqual({ cache: 'miss', count: 0 });
    await s.storage.insert('Visit', { link: code, at: new Date().toISOString() }); // behind the cache's back
    expect(await visits()).toEqual({ cache: 'hit', count: 0 });
    await sleep(500);
    expect(await visits()).toEqual({ cache: 'miss', count: 1 });
  });

  // On SQLite the driver answers synchronously, so concurrent requests mostly run one after the
  // other; on PostgreSQL they overlap and these two tests exercise the shared load (see also
  // single-flight.test.ts and record-cache.test.ts, which do on any engine).
  it('loads once when many requests miss the same answer at the same time', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/stampede');
    const readsBefore = await linkReads(s);
    const answers = await Promise.all(Array.from({ length: 8 }, () => s.call('GET', `/links/${code}`, { token: alice.token })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.map(xCache).sort()).toEqual(['hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'miss']);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await linkReads(s) - readsBefore).toBe(1);
  });

  it('loads a record once when many redirects miss it at the same time', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/hot');
    const readsBefore = await linkReads(s);
    const answers = await Promise.all(Array.from({ length: 8 }, () => s.call('GET', `/r/${code}`)));
    expect(answers.map((a) => a.headers.get('location'))).toEqual(Array(8).fill('https://alice.example/hot'));
    expect(await linkReads(s) - readsBefore).toBe(1);
  });

  it('caches a custom GET handler\'s answer per user and sees writes to the records it read', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/summary');
    const summary = (token: string) => s.call('GET', `/links/${code}/summary`, { token });
    const first = await summary(alice.token);
    expect([first.status, xCache(first), first.body.viewer]).toEqual([200, 'miss', alice.id]);
    const second = await summary(alice.token);
    expect([xCache(second), second.body]).toEqual(['hit', first.body]);
    const other = await summary(bob.token);
    expect([other.status, xCache(other)]).toEqual([404, 'miss']);
    expect((await summary(bob.token)).status).toBe(404);
    expect((await patchLink(s, alice.token, code, { target: 'https://alice.example/summary-2' })).status).toBe(200);
    const after = await summary(alice.token);
    expect([xCache(after), after.body.target]).toEqual(['miss', 'https://alice.example/summary-2']);
    expect(after.body.runs).toBeGreaterThan(first.body.runs);
  });

  it('gives handlers ctx.cache: JSON copies with a TTL, deleted on request', async () => {
    const put = (key: string, body: unknown) => s.call('PUT', `/memo/${key}`, { token: alice.token, body });
    const read = async (key: string) => (await s.call('GET', `/memo/${key}`, { token: alice.token })).body.value;
    expect((await put('a', { value: { list: [1, 2], name: 'Zoë' } })).status).toBe(204);
    expect(await read('a')).toEqual({ list: [1, 2], name: 'Zoë' });
    await put('short', { value: 42, ttlMs: 100 });
    expect(await read('short')).toBe(42);
    await sleep(150);
    expect(await read('short')).toBeNull();
    await put('a', { value: null });
    expect(await read('a')).toBeNull();
    expect(await read('never')).toBeNull();
    expect(await metric(s, 'archspec_cache_requests_total', { cache: 'handler', result: 'hit' })).toBeGreaterThan(0);
    expect(await metric(s, 'archspec_cache_requests_total', { cache: 'handler', result: 'miss' })).toBeGreaterThan(0);
  });

  it('reports hits, misses and evictions at /metrics', async () => {
    expect(await metric(s, 'archspec_cache_requests_total', { cache: 'response', result: 'hit' })).toBeGreaterThan(0);
    expect(await metric(s, 'archspec_cache_requests_total', { cache: 'response', result: 'miss' })).toBeGreaterThan(0);
    expect(await metric(s, 'archspec_cache_requests_total', { cache: 'record', result: 'hit' })).toBeGreaterThan(0);
    expect(await metric(s, 'archspec_cache_requests_total', { cache: 'record', result: 'miss' })).toBeGreaterThan(0);
    expect(await metric(s, 'archspec_cache_evictions_total')).toBe(0);
    expect(await metric(s, 'archspec_cache_errors_total')).toBe(0);
  });
});

describe.each(ENGINES)('archspec serve: cached answers and personal data on %s', (engine) => {
  let s: Served;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  beforeAll(async () => {
    s = await serve('linkly', engine, { spec: edited([...SHORT_TTLS, ...SHARED_LINKS, maxEntries(4)]), events: { dispatch: false } });
    alice = await s.account('alice@example.com', { fields: { name: 'Alice' } });
    bob = await s.account('bob@example.com', { fields: { name: 'Bob' } });
    await newLink(s, alice.token, 'https://alice.example/');
    await newLink(s, bob.token, 'https://bob.example/');
  }, 60_000);
  afterAll(async () => s?.close());

  it("does not leak the personal data an owner sees to another caller through the cache", async () => {
    const owners = async (token: string) => {
      const r = await s.call('GET', '/links?expand=owner', { token });
      expect(r.status).toBe(200);
      const items = (r.body.items as { target: string; owner: unknown }[]).sort((a, b) => a.target.localeCompare(b.target));
      return { cache: xCache(r), owners: items.map((l) => l.owner) };
    };
    const forAlice = await owners(alice.token);
    expect(forAlice.owners).toEqual([expect.objectContaining({ id: alice.id, email: 'alice@example.com', name: 'Alice' }), bob.id]);
    const forBob = await owners(bob.token);
    expect(forBob).toEqual({ cache: 'miss', owners: [alice.id, expect.objectContaining({ id: bob.id, email: 'bob@example.com' })] });
    expect(JSON.stringify(forBob)).not.toContain('alice@example.com');
    expect((await owners(alice.token)).cache).toBe('hit');
    expect(JSON.stringify(await owners(bob.token))).not.toContain('alice@example.com');
  });

  it('shares an answer between callers with the same roles when nothing in it depends on the user', async () => {
    const a = await s.call('GET', '/links?sort=-code', { token: alice.token });
    const b = await s.call('GET', '/links?sort=-code', { token: bob.token });
    expect([xCache(a), xCache(b)]).toEqual(['miss', 'hit']);
    expect(b.body).toEqual(a.body);
    expect(b.body.items).toHaveLength(2);
  });

  it('evicts the least recently used entries beyond maxEntries and counts them', async () => {
    for (let limit = 1; limit <= 8; limit++) expect((await s.call('GET', `/links?limit=${limit}`, { token: alice.token })).status).toBe(200);
    expect(await metric(s, 'archspec_cache_evictions_total')).toBeGreaterThanOrEqual(4);
    expect(xCache(await s.call('GET', '/links?limit=1', { token: alice.token }))).toBe('miss');
  });
});

/** A memory store whose operations can be made to fail: all of them (thrown at once) or some (rejected). */
class FlakyStore implements CacheStore {
  readonly engine = 'memory' as const;
  down = false;
  readonly failing = new Set<string>();
  private readonly inner = createMemoryCacheStore({ engine: 'memory', maxEntries: 1000 });

  private check(operation: string): void {
    if (this.down) throw new Error(`cache unreachable (${operation})`);
  }

  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    this.check(operation);
    if (this.failing.has(operation)) throw new Error(`cache ${operation} failed`);
    return fn();
  }

  get(key: string) { this.check('get'); return this.run('get', () => this.inner.get(key)); }
  set(key: string, value: string, ttlMs: number) { this.check('set'); return this.run('set', () => this.inner.set(key, value, ttlMs)); }
  delete(key: string) { this.check('delete'); return this.run('delete', () => this.inner.delete(key)); }
  bump(tags: readonly string[]) { this.check('bump'); return this.run('bump', () => this.inner.bump(tags)); }
  versions(tags: readonly string[]) { this.check('versions'); return this.run('versions', () => this.inner.versions(tags)); }
  evictions() { this.check('evictions'); return this.inner.evictions(); }
  close() { return this.inner.close(); }
}

describe.each(ENGINES)('archspec serve: a failing cache is a miss on %s', (engine) => {
  let s: Served;
  let alice: { id: string; token: string };
  const store = new FlakyStore();

  beforeAll(async () => {
    s = await serve('linkly', engine, { spec: edited([...SHORT_TTLS, ...HANDLERS]), events: { dispatch: false }, cache: store });
    alice = await s.account('alice@example.com');
  }, 60_000);
  afterAll(async () => s?.close());

  it('serves nothing it could not invalidate: after a failed bump, reads go to the database', async () => {
    const code = await newLink(s, alice.token, 'https://alice.example/a');
    await s.call('GET', `/links/${code}`, { token: alice.token });
    expect(xCache(await s.call('GET', `/links/${code}`, { token: alice.token }))).toBe('hit');
    store.failing.add('bump').add('delete');
    try {
      expect((await patchLink(s, alice.token, code, { target: 'https://alice.example/b' })).status).toBe(200);
    } finally {
      store.failing.clear();
    }
    const after = await s.call('GET', `/links/${code}`, { token: alice.token });
    expect([xCache(after), after.body.target]).toEqual(['miss', 'https://alice.example/b']);
    expect((await s.call('GET', `/r/${code}`)).headers.get('location')).toBe('https://alice.example/b');
  });

  it('answers every request correctly from the database while the cache is down, counting the errors', async () => {
    store.down = true;
    try {
      const code = await newLink(s, alice.token, 'https://alice.example/down');
      for (let i = 0; i < 2; i++) {
        const r = await s.call('GET', `/links/${code}`, { token: alice.token });
        expect([r.status, xCache(r), r.body.target]).toEqual([200, 'miss', 'https://alice.example/down']);
        expect((await s.call('GET', `/r/${code}`)).headers.get('location')).toBe('https://alice.example/down');
      }
      expect((await patchLink(s, alice.token, code, { target: 'https://alice.example/up' })).status).toBe(200);
      expect((await s.call('GET', `/links/${code}`, { token: alice.token })).body.target).toBe('https://alice.example/up');
      expect((await s.call('GET', `/r/${code}`)).headers.get('location')).toBe('https://alice.example/up');
      expect((await s.call('PUT', '/memo/k', { token: alice.token, body: { value: 'v' } })).status).toBe(204);
      const memo = await s.call('GET', '/memo/k', { token: alice.token });
      expect([memo.status, memo.body]).toEqual([200, { value: null }]);
      const list = await s.call('GET', '/links?limit=100', { token: alice.token });
      expect(list.status).toBe(200);
      expect(list.body.items).toContainEqual(expect.objectContaining({ code, target: 'https://alice.example/up' }));
      expect((await s.call('GET', '/metrics', { root: true })).status).toBe(200);
      for (const operation of ['get', 'versions', 'bump']) {
        expect(await metric(s, 'archspec_cache_errors_total', { operation })).toBeGreaterThan(0);
      }
    } finally {
      store.down = false;
    }
  });
});
