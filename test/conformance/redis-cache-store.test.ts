import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { CacheStore } from '../../src/adapters/cache/cache-store.ts';
import { createRedisCacheStore } from '../../src/adapters/cache/redis/redis-cache-store.ts';
import { serviceUrl } from '../support/services.ts';
import { cacheStoreConformance } from './cache-store.suite.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { closedPort, deleteKeys, uniquePrefix } from './redis-fixtures.ts';

const redis = await serviceUrl('redis');
const RUN = uniquePrefix('cache');
let opened = 0;

/** A store on a fresh namespace of this run (every open: an empty cache), on `url` (default: the test Redis). */
const open = (keyPrefix = `${RUN}${opened++}:`, url = redis.url!, tagTtlMs?: number): Promise<CacheStore> =>
  createRedisCacheStore({ engine: 'redis', maxEntries: 100 }, { url, keyPrefix, ...(tagTtlMs ? { tagTtlMs } : {}) });

describe.skipIf(!redis.url)(`redis cache store (${redis.reason})`, () => {
  afterAll(async () => { if (redis.url) await deleteKeys(redis.url, RUN); });

  // Redis bounds itself (maxmemory-policy), not by maxEntries: the size-bound tests do not apply.
  cacheStoreConformance('redis', { open: () => open(), boundsEntries: false });

  describe('shared by instances', () => {
    it('shows one instance the values and tag bumps of another at once', async () => {
      const prefix = `${RUN}shared:`;
      const [a, b] = [await open(prefix), await open(prefix)];
      try {
        await a.set('k', 'from a', 60_000);
        expect(await b.get('k')).toBe('from a');
        const [before] = await b.versions(['entity:Link']);
        expect(await a.versions(['entity:Link'])).toEqual([before]);
        await a.bump(['entity:Link']);
        const [after] = await b.versions(['entity:Link']);
        expect(after).not.toBe(before);
        expect(await a.versions(['entity:Link'])).toEqual([after]);
        await b.delete('k');
        expect(await a.get('k')).toBeUndefined();
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('agrees on one version when instances ask for a new tag concurrently', async () => {
      const prefix = `${RUN}race:`;
      const stores = await Promise.all([open(prefix), open(prefix), open(prefix)]);
      try {
        const answers = await Promise.all(stores.flatMap((s) => [s.versions(['t']), s.versions(['t'])]));
        expect(new Set(answers.map(([v]) => v)).size).toBe(1);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('hands out a fresh version for a tag Redis lost, never the old one', async () => {
      const prefix = `${RUN}lost:`;
      const store = await open(prefix, redis.url!, 100);
      const admin = new Redis(redis.url!);
      try {
        const [first] = await store.versions(['t']);
        await admin.del(`${prefix}t:t`); // as an eviction or FLUSHALL would
        const [second] = await store.versions(['t']);
        expect(second).not.toBe(first);
        await new Promise((r) => setTimeout(r, 150)); // the tag key's own TTL passes
        const [third] = await store.versions(['t']);
        expect([first, second]).not.toContain(third);
      } finally {
        admin.disconnect();
        await store.close();
      }
    });

    it('reports evictions as a count that never goes down', async () => {
      const store = await open();
      try {
        const first = await store.evictions();
        expect(first).toBeGreaterThanOrEqual(0);
        expect(await store.evictions()).toBeGreaterThanOrEqual(first);
      } finally {
        await store.close();
      }
    });
  });

  describe('when Redis is unreachable', () => {
    it('rejects every operation at once instead of waiting', async () => {
      const started = Date.now();
      const store = await open(`${RUN}down:`, `redis://127.0.0.1:${await closedPort()}`);
      try {
        const results = await Promise.allSettled([store.get('k'), store.set('k', 'v', 1000), store.delete('k'), store.bump(['t']), store.versions(['t'])]);
        expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
        // Opening waits for a first connection attempt, never for Redis: well under a second here.
        expect(Date.now() - started).toBeLessThan(1_000);
      } finally {
        await store.close();
      }
    });

    it('invalidates every instance\'s entries once Redis is back after a bump that did not reach it', async () => {
      const prefix = `${RUN}epoch:`;
      const proxy = await TcpProxy.for(redis.url!, 6379).up();
      const [writer, other] = [await open(prefix, proxy.rewrite(redis.url!)), await open(prefix)];
      try {
        const before = await other.versions(['entity:Link', 'entity:User']);
        expect(await writer.versions(['entity:Link', 'entity:User'])).toEqual(before);
        await proxy.down();
        await expect(writer.bump(['entity:Link'])).rejects.toThrow();
        await proxy.up();
        // The writer's next lookup that reaches Redis replaces the epoch: every tag, on every instance, moves.
        await expect.poll(() => writer.versions(['entity:User']).then(() => true, () => false), { timeout: 3_000, interval: 50 }).toBe(true);
        const after = await other.versions(['entity:Link', 'entity:User']);
        expect(after[0]).not.toBe(before[0]);
        expect(after[1]).not.toBe(before[1]);
        expect(await writer.versions(['entity:Link', 'entity:User'])).toEqual(after);
      } finally {
        await Promise.all([writer.close(), other.close()]);
        await proxy.down();
      }
    });

    it('works again by itself once Redis is back', async () => {
      const proxy = await TcpProxy.for(redis.url!, 6379).up();
      const store = await open(`${RUN}back:`, proxy.rewrite(redis.url!));
      try {
        await store.set('k', 'v', 60_000);
        await proxy.down();
        await expect(store.get('k')).rejects.toThrow();
        await proxy.up();
        await expect.poll(() => store.get('k').catch(() => 'failed'), { timeout: 3_000, interval: 50 }).toBe('v');
      } finally {
        await store.close();
        await proxy.down();
      }
    });
  });
});
