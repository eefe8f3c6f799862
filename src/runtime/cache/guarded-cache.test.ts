import { describe, expect, it } from 'vitest';
import type { CacheStore } from '../../adapters/cache/cache-store.ts';
import { createMemoryCacheStore } from '../../adapters/cache/memory/memory-cache-store.ts';
import type { CacheOperation } from './cache-metrics.ts';
import { GuardedCache } from './guarded-cache.ts';

function setup(failing: Set<string>, distrustMs = 1_000) {
  const inner = createMemoryCacheStore({ engine: 'memory', maxEntries: 100 });
  const fail = (op: string) => { if (failing.has(op)) throw new Error(`${op} refused`); };
  const store: CacheStore = {
    engine: 'memory',
    get: async (k) => { fail('get'); return inner.get(k); },
    set: async (k, v, t) => { fail('set'); return inner.set(k, v, t); },
    delete: (k) => { fail('delete'); return inner.delete(k); }, // throws synchronously
    bump: async (t) => { fail('bump'); return inner.bump(t); },
    versions: async (t) => { fail('versions'); return inner.versions(t); },
    evictions: () => inner.evictions(),
    close: () => inner.close(),
  };
  const errors: CacheOperation[] = [];
  const lines: unknown[] = [];
  let now = 1_000_000;
  const cache = new GuardedCache(store, { lookup: () => {}, error: (op) => errors.push(op) }, { warn: (obj) => lines.push(obj) }, { distrustMs, logIntervalMs: 10_000, now: () => now });
  return { cache, errors, lines, advance: (ms: number) => { now += ms; } };
}

describe('GuardedCache', () => {
  it('turns every failure into a miss, rejected or thrown at once, and counts it', async () => {
    const failing = new Set(['get', 'set', 'delete', 'versions']);
    const { cache, errors } = setup(failing);
    await cache.set('k', 'v', 1000);
    expect(await cache.get('k')).toBeUndefined();
    await cache.delete('k');
    expect(await cache.versions(['t'])).toBeUndefined();
    expect(errors).toEqual(['set', 'get', 'delete', 'versions']);
  });

  it('logs the first failure of an operation, then at most once per interval with the count since', async () => {
    const { cache, lines, advance } = setup(new Set(['get']));
    for (let i = 0; i < 5; i++) await cache.get('k');
    expect(lines).toHaveLength(1);
    advance(10_000);
    await cache.get('k');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ operation: 'get', failuresSinceLastReport: 5 });
  });

  it('distrusts the cache for the longest TTL after a failed invalidation, and lookups begun before it for good', async () => {
    const failing = new Set<string>();
    const { cache, advance } = setup(failing, 5_000);
    const before = cache.clock();
    advance(1);
    expect(cache.trusts(before)).toBe(true);
    failing.add('bump');
    await cache.bump(['e:Link']);
    failing.clear();
    expect(cache.trusts(cache.clock())).toBe(false);
    advance(5_000);
    expect(cache.trusts(cache.clock())).toBe(true);
    expect(cache.trusts(before)).toBe(false);
  });

  it('distrusts after any failure: the store may be unreachable, and other instances\' invalidations with it', async () => {
    const failing = new Set(['get']);
    const { cache, advance } = setup(failing, 5_000);
    expect(cache.trusts(cache.clock())).toBe(true);
    await cache.get('k');
    failing.clear();
    expect(cache.trusts(cache.clock())).toBe(false);
    advance(5_000);
    expect(cache.trusts(cache.clock())).toBe(true);
  });

  it('keeps failed invalidations (bumped tags, deleted record keys) and replays them once the store takes them', async () => {
    const failing = new Set(['bump', 'delete']);
    const { cache } = setup(failing);
    const before = await cache.versions(['e:Link', 'r:Link:x']);
    await cache.set('rec:Link:x', 'stale', 60_000);
    await cache.bump(['e:Link', 'r:Link:x']);
    await cache.delete('rec:Link:x', true);
    await cache.delete('h:unrelated');
    expect(cache.pendingInvalidations()).toBe(3);
    expect(await cache.replay()).toBe(false);
    failing.clear();
    expect(await cache.replay()).toBe(true);
    expect(cache.pendingInvalidations()).toBe(0);
    // The store now has what the write needed: new versions, and no record entry.
    expect(await cache.versions(['e:Link', 'r:Link:x'])).not.toEqual(before);
    expect(await cache.get('rec:Link:x')).toBeUndefined();
    cache.close();
  });

  it('replays on its own, every replay interval, until the store takes them', async () => {
    const failing = new Set(['bump']);
    const inner = setup(failing);
    const cache = new GuardedCache((inner.cache as unknown as { store: CacheStore }).store, { lookup: () => {}, error: () => {} }, { warn: () => {} }, { distrustMs: 1_000, replayIntervalMs: 20 });
    await cache.bump(['e:Link']);
    expect(cache.pendingInvalidations()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(cache.pendingInvalidations()).toBe(1);
    failing.clear();
    for (let i = 0; i < 50 && cache.pendingInvalidations() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cache.pendingInvalidations()).toBe(0);
    cache.close();
  });
});
