import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, uniquePrefix } from '../conformance/redis-fixtures.ts';
import { replicaPairSupport, startReplicaPair, type ReplicaPair } from '../support/replica-pair.ts';
import { serviceUrl } from '../support/services.ts';
import { serve, type Served } from './serve-harness.ts';

/**
 * Read replicas over real HTTP (docs/scaling.md#read-replicas): Linkly on a real PostgreSQL primary
 * with a streaming standby that applies each commit a second late, so a read that went to the
 * standby is told apart by what it misses. A user reads their own writes at once (also through
 * another instance sharing Redis), others read the standby; a stopped standby costs no request;
 * a cached record is never filled from the lagging standby.
 */

const support = await replicaPairSupport();
const redis = await serviceUrl('redis');

/** Linkly without the Link record cache: Link reads by id then go through the replica routing itself. */
const UNCACHED = (text: string) => {
  const from = 'cache: { Link: 60s, "GET /r/{code}": 60s }';
  if (!text.includes(from)) throw new Error(`the Linkly spec no longer contains "${from}": update serve-replicas.test.ts`);
  return text.replace(from, 'cache: { "GET /r/{code}": 60s }');
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

/** The sum of the samples of `name` on `s` whose labels contain every one of `labels`. */
async function metric(s: Served, name: string, ...labels: string[]): Promise<number> {
  const text = String((await s.call('GET', '/metrics', { root: true })).body);
  return text.split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && labels.every((label) => l.includes(label)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const replicaReads = (s: Served) => metric(s, 'archspec_db_reads_total', 'target="replica"');

async function newLink(s: Served, token: string, target: string): Promise<string> {
  const r = await s.call('POST', '/links', { token, body: { target } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return String(r.body.code);
}

const listed = async (s: Served, token: string) => ((await s.call('GET', '/links?limit=100', { token })).body.items as { code: string }[]).map((l) => l.code);

describe.skipIf(!support.bin)(`archspec serve with a read replica (${support.reason})`, () => {
  let pair: ReplicaPair;
  /** Waits until the standby has applied everything committed so far. */
  const caughtUp = () => sleep(pair.applyDelayMs + 600);

  beforeAll(async () => {
    pair = await startReplicaPair(support.bin!, { applyDelayMs: 1000 });
  });
  afterAll(() => pair?.stop());

  describe('one instance', () => {
    let s: Served;
    let ann: { id: string; token: string };
    let admin: { id: string; token: string };

    beforeAll(async () => {
      s = await serve('linkly', 'postgres', { spec: UNCACHED, databaseUrl: pair.primaryUrl, replicaUrls: [pair.replicaUrl] });
      ann = await s.account('ann@example.com');
      admin = await s.account('root@example.com', { role: 'admin' });
      await caughtUp();
    });
    afterAll(() => s?.close());

    it('lets a user read their new link at once while others read the lagging replica', async () => {
      const before = await replicaReads(s);
      const code = await newLink(s, ann.token, 'https://example.com/ryw');
      for (let i = 0; i < 3; i++) {
        const own = await s.call('GET', `/links/${code}`, { token: ann.token });
        expect(own.status).toBe(200);
        expect(own.body.target).toBe('https://example.com/ryw');
        expect(await listed(s, ann.token)).toContain(code);
      }
      // The admin may read every link, but reads the standby, which applies the insert a second later.
      expect((await s.call('GET', `/links/${code}`, { token: admin.token })).status).toBe(404);
      expect(await listed(s, admin.token)).not.toContain(code);
      expect(await replicaReads(s)).toBeGreaterThan(before);
      await until(async () => (await s.call('GET', `/links/${code}`, { token: admin.token })).status === 200);
      expect(await listed(s, admin.token)).toContain(code);
    });

    it("sees the new account's own record right after signing up", async () => {
      const bea = await s.account('bea@example.com');
      const own = await s.call('GET', `/users/${bea.id}`, { token: bea.token });
      expect(own.status).toBe(200);
      expect(own.body.email).toBe('bea@example.com');
    });

    it('shows the replica in /readyz and /metrics', async () => {
      const ready = await s.call('GET', '/readyz', { root: true });
      expect(ready.status).toBe(200);
      expect(ready.body.checks.replicas).toEqual({ status: 'ok', detail: '1 of 1 read replicas usable' });
      expect(await metric(s, 'archspec_db_replicas_usable')).toBe(1);
      expect(await metric(s, 'archspec_db_replicas_configured')).toBe(1);
      expect(await metric(s, 'archspec_db_reads_total', 'target="primary"')).toBeGreaterThan(0);
      const text = String((await s.call('GET', '/metrics', { root: true })).body);
      expect(text).toMatch(/^archspec_db_replica_lag_bytes\{replica="127\.0\.0\.1:\d+"\} \d+$/m);
    });

    it('answers every read from the primary while the replica is stopped, and uses it again once it is back', async () => {
      const code = await newLink(s, ann.token, 'https://example.com/outage');
      await caughtUp();
      await pair.stopReplica();
      try {
        for (let i = 0; i < 5; i++) {
          for (const token of [ann.token, admin.token]) {
            const r = await s.call('GET', `/links/${code}`, { token });
            expect(r.status, JSON.stringify(r.body)).toBe(200);
            expect(await listed(s, token)).toContain(code);
          }
        }
        const ready = await s.call('GET', '/readyz', { root: true });
        expect(ready.status).toBe(200);
        expect(ready.body.checks.replicas.detail).toBe('0 of 1 read replicas usable (the primary serves the reads of the others)');
        expect(await metric(s, 'archspec_db_replicas_usable')).toBe(0);
      } finally {
        await pair.startReplica();
      }
      await until(async () => (await metric(s, 'archspec_db_replicas_usable')) === 1);
      const before = await replicaReads(s);
      expect((await s.call('GET', `/links/${code}`, { token: admin.token })).status).toBe(200);
      expect(await replicaReads(s)).toBeGreaterThan(before);
    });
  });

  describe('a cached entity (Link: 60s)', () => {
    let s: Served;

    beforeAll(async () => {
      s = await serve('linkly', 'postgres', { databaseUrl: pair.primaryUrl, replicaUrls: [pair.replicaUrl] });
    });
    afterAll(() => s?.close());

    it("never fills the cache from the lagging replica: others see an update at once and after the lag", async () => {
      const cy = await s.account('cy@example.com');
      const admin = await s.account('root2@example.com', { role: 'admin' });
      const code = await newLink(s, cy.token, 'https://example.com/v1');
      await caughtUp();
      // The admin's read caches the link.
      const first = await s.call('GET', `/links/${code}`, { token: admin.token });
      expect(first.body.target).toBe('https://example.com/v1');
      const changed = await s.call('PATCH', `/links/${code}`, { token: cy.token, body: { target: 'https://example.com/v2' }, headers: { 'if-match': String(first.headers.get('etag')) } });
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      // The update invalidated the entry; the refill reads the primary, not the standby (still at v1 for a second).
      expect((await s.call('GET', `/links/${code}`, { token: admin.token })).body.target).toBe('https://example.com/v2');
      await caughtUp();
      expect((await s.call('GET', `/links/${code}`, { token: admin.token })).body.target).toBe('https://example.com/v2');
      expect((await s.call('GET', `/links/${code}`, { token: cy.token })).body.target).toBe('https://example.com/v2');
    });
  });

  describe.skipIf(!redis.url)(`two instances sharing Redis (${redis.reason})`, () => {
    const namespace = uniquePrefix('replicas');
    let one: Served;
    let two: Served;

    beforeAll(async () => {
      const options = { spec: UNCACHED, databaseUrl: pair.primaryUrl, replicaUrls: [pair.replicaUrl], env: { REDIS_URL: redis.url!, ARCHSPEC_REDIS_PREFIX: namespace } };
      one = await serve('linkly', 'postgres', options);
      two = await serve('linkly', 'postgres', options);
    });
    afterAll(async () => {
      await two?.close();
      await one?.close();
      await deleteKeys(redis.url!, namespace);
    });

    it("lets a user who wrote through one instance read it through the other at once", async () => {
      const dee = await one.account('dee@example.com');
      const eve = await one.account('eve@example.com');
      await caughtUp();
      const code = await newLink(one, dee.token, 'https://example.com/shared');
      const own = await two.call('GET', `/links/${code}`, { token: dee.token });
      expect(own.status).toBe(200);
      expect(await listed(two, dee.token)).toContain(code);
      // Eve has no recent write: her list on the second instance comes from the standby, a second behind.
      expect(await listed(two, eve.token)).toEqual([]);
      const replicaBefore = await replicaReads(two);
      await caughtUp();
      expect((await two.call('GET', `/links/${code}`, { token: dee.token })).status).toBe(200);
      expect(await replicaReads(two)).toBeGreaterThan(replicaBefore);
    });
  });
});
