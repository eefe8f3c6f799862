import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { CounterStore } from '../../src/adapters/counters/counter-store.ts';
import { counterStoreConfigFrom, createCounterStore } from '../../src/adapters/counters/create-counter-store.ts';
import { FallbackCounterStore } from '../../src/adapters/counters/fallback-counter-store.ts';
import { createRedisCounterStore } from '../../src/adapters/counters/redis/redis-counter-store.ts';
import { serviceUrl } from '../support/services.ts';
import { counterStoreConformance } from './counter-store.suite.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { closedPort, deleteKeys, uniquePrefix } from './redis-fixtures.ts';

const redis = await serviceUrl('redis');
const RUN = uniquePrefix('counters');
const open = (url = redis.url!): Promise<CounterStore> => createRedisCounterStore({ url, keyPrefix: RUN });

describe.skipIf(!redis.url)(`redis counter store (${redis.reason})`, () => {
  afterAll(async () => { if (redis.url) await deleteKeys(redis.url, RUN); });

  counterStoreConformance('redis', () => open());
  counterStoreConformance('fallback over redis', async () => new FallbackCounterStore(await open()));

  it('is what REDIS_URL selects, and is not local (the server wraps it in the fallback)', async () => {
    const store = await createCounterStore(counterStoreConfigFrom({ REDIS_URL: redis.url }));
    try {
      expect(store).toMatchObject({ engine: 'redis', local: false });
    } finally {
      await store.close();
    }
  });

  it('counts the hits of every instance against one budget, in one window', async () => {
    const [a, b] = [await open(), await open()];
    try {
      const key = 'shared:user:42';
      await a.hit(key, 60_000);
      await b.hit(key, 60_000);
      const third = await a.hit(key, 60_000, 2);
      expect(third.count).toBe(4);
      expect((await b.peek(key)).count).toBe(4);
      await b.reset(key);
      expect((await a.peek(key)).count).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stores a window as one key that Redis expires when the window ends', async () => {
    const store = await open();
    const admin = new Redis(redis.url!);
    try {
      await store.hit('expiring', 5_000);
      const ttl = await admin.pttl(`${RUN}expiring`);
      expect(ttl).toBeGreaterThan(4_000);
      expect(ttl).toBeLessThanOrEqual(5_000);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });

  it('rejects at once when Redis is unreachable, and the fallback keeps counting locally', async () => {
    const down = await open(`redis://127.0.0.1:${await closedPort()}`);
    await expect(down.hit('k', 60_000)).rejects.toThrow();
    const failures: string[] = [];
    const store = new FallbackCounterStore(down, { onFailure: (_e, op) => failures.push(op) });
    try {
      const counts = [];
      for (let i = 0; i < 5; i++) counts.push((await store.hit('k', 60_000)).count);
      expect(counts).toEqual([1, 2, 3, 4, 5]);
      expect(failures.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('counts in Redis again by itself once Redis is back', async () => {
    const proxy = await TcpProxy.for(redis.url!, 6379).up();
    const store = await open(proxy.rewrite(redis.url!));
    try {
      expect((await store.hit('back', 60_000)).count).toBe(1);
      await proxy.down();
      await expect(store.hit('back', 60_000)).rejects.toThrow();
      await proxy.up();
      await expect.poll(() => store.peek('back').then((w) => w.count, () => -1), { timeout: 3_000, interval: 50 }).toBe(1);
      expect((await store.hit('back', 60_000)).count).toBe(2);
    } finally {
      await store.close();
      await proxy.down();
    }
  });
});
