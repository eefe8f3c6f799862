import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { CounterStore } from '../../src/adapters/counters/counter-store.ts';

/**
 * The counter-store conformance suite: every engine (memory now, Redis in issue 5) and the fallback
 * wrapper pass the same tests, on real time with windows of a few hundred milliseconds (a remote
 * store has its own clock, so no fake clock can be injected). Every test uses fresh keys, so a shared
 * store (one Redis for the whole run) needs no emptying.
 *
 * @example
 * counterStoreConformance('memory', async () => new MemoryCounterStore());
 */
export function counterStoreConformance(name: string, open: () => Promise<CounterStore>): void {
  describe(`counter store conformance: ${name}`, () => {
    const opened: CounterStore[] = [];
    const store = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };
    const key = (label: string) => `conformance:${label}:${randomUUID()}`;
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    it('counts hits in one window and says how long the window has left', async () => {
      const s = await store();
      const k = key('count');
      const first = await s.hit(k, 60_000);
      expect(first.count).toBe(1);
      expect(first.resetInMs).toBeGreaterThan(59_000);
      expect(first.resetInMs).toBeLessThanOrEqual(60_000);
      expect((await s.hit(k, 60_000)).count).toBe(2);
      expect((await s.hit(k, 60_000)).count).toBe(3);
    });

    it('adds the cost of a hit', async () => {
      const s = await store();
      const k = key('cost');
      expect((await s.hit(k, 60_000, 5)).count).toBe(5);
      expect((await s.hit(k, 60_000)).count).toBe(6);
    });

    it('keeps keys apart', async () => {
      const s = await store();
      const [a, b] = [key('a'), key('b')];
      await s.hit(a, 60_000);
      await s.hit(a, 60_000);
      expect((await s.hit(b, 60_000)).count).toBe(1);
      expect((await s.peek(a)).count).toBe(2);
    });

    it('peeks without counting, and answers zero for a key with no window', async () => {
      const s = await store();
      const k = key('peek');
      expect(await s.peek(k)).toEqual({ count: 0, resetInMs: 0 });
      await s.hit(k, 60_000);
      const seen = await s.peek(k);
      expect(seen.count).toBe(1);
      expect(seen.resetInMs).toBeGreaterThan(0);
      expect((await s.peek(k)).count).toBe(1);
    });

    it('keeps the window fixed: later hits do not extend it', async () => {
      const s = await store();
      const k = key('fixed');
      await s.hit(k, 400);
      await sleep(150);
      const later = await s.hit(k, 400);
      expect(later.count).toBe(2);
      expect(later.resetInMs).toBeLessThanOrEqual(260);
    });

    it('opens a new window once the old one ended', async () => {
      const s = await store();
      const k = key('expiry');
      await s.hit(k, 150);
      await s.hit(k, 150);
      await sleep(220);
      expect(await s.peek(k)).toEqual({ count: 0, resetInMs: 0 });
      const fresh = await s.hit(k, 150);
      expect(fresh.count).toBe(1);
      expect(fresh.resetInMs).toBeGreaterThan(100);
    });

    it('ends a window on reset', async () => {
      const s = await store();
      const k = key('reset');
      await s.hit(k, 60_000);
      await s.hit(k, 60_000);
      await s.reset(k);
      expect(await s.peek(k)).toEqual({ count: 0, resetInMs: 0 });
      expect((await s.hit(k, 60_000)).count).toBe(1);
      await expect(s.reset(key('never-hit'))).resolves.toBeUndefined();
    });

    it('counts every one of many concurrent hits exactly once', async () => {
      const s = await store();
      const k = key('concurrent');
      const counts = await Promise.all(Array.from({ length: 50 }, () => s.hit(k, 60_000).then((w) => w.count)));
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect((await s.peek(k)).count).toBe(50);
    });

    it('keeps a window length per key', async () => {
      const s = await store();
      const [short, long] = [key('short'), key('long')];
      await s.hit(short, 150);
      await s.hit(long, 60_000);
      await sleep(220);
      expect((await s.peek(short)).count).toBe(0);
      expect((await s.peek(long)).count).toBe(1);
    });

    it('names its engine', async () => {
      const s = await store();
      expect(s.engine).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(typeof s.local).toBe('boolean');
    });
  });
}
