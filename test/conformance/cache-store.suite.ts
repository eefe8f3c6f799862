import { afterEach, describe, expect, it } from 'vitest';
import type { CacheConfig, CacheStore } from '../../src/adapters/cache/cache-store.ts';

/** What an engine's test file hands the suite. */
export interface CacheStoreFixture {
  /** A fresh, empty store of the engine under test. */
  open(config: Omit<CacheConfig, 'engine'>): Promise<CacheStore>;
  /**
   * Whether the engine itself keeps at most `maxEntries` (least recently used first) and counts
   * what it drops. A shared server whose memory policy bounds it (Redis) may say false.
   */
  boundsEntries?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The cache conformance suite: every engine of `src/adapters/cache/` passes the same tests (values,
 * TTLs, deletes, tag versions, the size bound). `CACHE_ENGINES=memory` (comma list) narrows the run.
 *
 * @example
 * cacheStoreConformance('memory', { open: (config) => createMemoryCacheStore({ engine: 'memory', ...config }) });
 */
export function cacheStoreConformance(name: string, fixture: CacheStoreFixture): void {
  const enabled = process.env.CACHE_ENGINES?.split(',').map((s) => s.trim()).filter(Boolean);
  describe.skipIf(enabled?.length ? !enabled.includes(name) : false)(`cache store conformance: ${name}`, () => {
    const opened: CacheStore[] = [];
    const open = async (maxEntries = 100, maxBytes?: number) => {
      const store = await fixture.open({ maxEntries, ...(maxBytes ? { maxBytes } : {}) });
      opened.push(store);
      return store;
    };
    afterEach(async () => { await Promise.all(opened.splice(0).map((s) => s.close())); });

    describe('values', () => {
      it('answers undefined for a key never set', async () => {
        expect(await (await open()).get('absent')).toBeUndefined();
      });

      it('returns exactly the string stored, replaced by a later set', async () => {
        const store = await open();
        const text = JSON.stringify({ name: 'Zoë 🚀', nested: [1, null, 'x'] });
        await store.set('k', text, 60_000);
        expect(await store.get('k')).toBe(text);
        await store.set('k', 'second', 60_000);
        expect(await store.get('k')).toBe('second');
      });

      it('keeps keys apart', async () => {
        const store = await open();
        await store.set('a', '1', 60_000);
        await store.set('b', '2', 60_000);
        expect([await store.get('a'), await store.get('b')]).toEqual(['1', '2']);
      });

      it('deletes a key, and deleting an absent key is harmless', async () => {
        const store = await open();
        await store.set('k', 'v', 60_000);
        await store.delete('k');
        await store.delete('never-set');
        expect(await store.get('k')).toBeUndefined();
      });

      it('rejects a TTL that is not a positive integer of milliseconds', async () => {
        const store = await open();
        await expect(store.set('k', 'v', 0)).rejects.toThrow(/ttl/i);
        await expect(store.set('k', 'v', 1.5)).rejects.toThrow(/ttl/i);
      });

      it('answers many concurrent operations consistently', async () => {
        const store = await open(1000);
        await Promise.all(Array.from({ length: 200 }, (_, i) => store.set(`k${i}`, String(i), 60_000)));
        const values = await Promise.all(Array.from({ length: 200 }, (_, i) => store.get(`k${i}`)));
        expect(values).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
      });
    });

    describe('expiry', () => {
      it('forgets an entry once its own TTL has passed, keeping entries with longer TTLs', async () => {
        const store = await open();
        await store.set('short', 's', 40);
        await store.set('long', 'l', 60_000);
        expect(await store.get('short')).toBe('s');
        await sleep(90);
        expect(await store.get('short')).toBeUndefined();
        expect(await store.get('long')).toBe('l');
      });

      it('restarts the TTL when a key is set again', async () => {
        const store = await open();
        await store.set('k', 'v1', 40);
        await store.set('k', 'v2', 60_000);
        await sleep(90);
        expect(await store.get('k')).toBe('v2');
      });
    });

    describe('tag versions', () => {
      it('gives a tag one version until it is bumped', async () => {
        const store = await open();
        const [first] = await store.versions(['entity:Link']);
        expect(first).toEqual(expect.any(String));
        expect(await store.versions(['entity:Link'])).toEqual([first]);
      });

      it('answers versions in the order of the tags asked for', async () => {
        const store = await open();
        const [a, b] = await store.versions(['a', 'b']);
        expect(await store.versions(['b', 'a'])).toEqual([b, a]);
      });

      it('changes only the bumped tags, to versions never handed out before', async () => {
        const store = await open();
        const seen = new Set<string>();
        const before = await store.versions(['a', 'b', 'c']);
        before.forEach((v) => seen.add(v));
        for (let round = 0; round < 5; round++) {
          await store.bump(['a', 'c']);
          const [a, b, c] = await store.versions(['a', 'b', 'c']);
          expect(b).toBe(before[1]);
          expect(seen.has(a!)).toBe(false);
          expect(seen.has(c!)).toBe(false);
          seen.add(a!).add(c!);
        }
      });

      it('accepts a bump of a tag nobody asked for, and of no tags', async () => {
        const store = await open();
        await store.bump(['fresh']);
        await store.bump([]);
        const [v] = await store.versions(['fresh']);
        expect(await store.versions(['fresh'])).toEqual([v]);
      });
    });

    describe.skipIf(fixture.boundsEntries === false)('size bound', () => {
      it('keeps at most maxEntries, evicting the least recently used and counting each eviction', async () => {
        const store = await open(3);
        await store.set('a', '1', 60_000);
        await store.set('b', '2', 60_000);
        await store.set('c', '3', 60_000);
        await store.get('a'); // a is now more recently used than b
        await store.set('d', '4', 60_000);
        await store.set('e', '5', 60_000);
        expect(await store.get('b')).toBeUndefined();
        expect(await store.get('c')).toBeUndefined();
        expect([await store.get('a'), await store.get('d'), await store.get('e')]).toEqual(['1', '4', '5']);
        expect(await store.evictions()).toBe(2);
      });

      it('keeps the characters of keys and values within maxBytes, evicting the least recently used', async () => {
        const store = await open(100, 400);
        for (let i = 0; i < 10; i++) await store.set(`k${i}`, 'x'.repeat(48), 60_000); // 50 characters each
        expect(await store.get('k0')).toBeUndefined();
        expect(await store.get('k9')).toBe('x'.repeat(48));
        expect(await store.evictions()).toBeGreaterThanOrEqual(2);
      });

      it('does not store a value too large for the bound, keeping the others', async () => {
        const store = await open(100, 400);
        await store.set('small', 'v', 60_000);
        await store.set('huge', 'x'.repeat(1000), 60_000);
        expect(await store.get('huge')).toBeUndefined();
        expect(await store.get('small')).toBe('v');
      });

      it('does not count expiries, deletes or replacements as evictions', async () => {
        const store = await open(10);
        await store.set('gone', 'x', 20);
        await store.set('k', 'v', 60_000);
        await store.set('k', 'w', 60_000);
        await store.delete('k');
        await sleep(50);
        await store.get('gone');
        expect(await store.evictions()).toBe(0);
      });

      it('keeps tag versions safe when tags outnumber the bound: an entry never becomes valid again', async () => {
        const store = await open(2);
        const [old] = await store.versions(['t0']);
        for (let i = 1; i <= 10; i++) await store.versions([`t${i}`]);
        const [now] = await store.versions(['t0']);
        // Either still the same version, or (lost and re-created) a new one: never an older one.
        if (now !== old) expect(await store.versions(['t0'])).toEqual([now]);
        await store.bump(['t0']);
        expect((await store.versions(['t0']))[0]).not.toBe(old);
      });
    });
  });
}
