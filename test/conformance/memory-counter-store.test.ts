import { describe, expect, it } from 'vitest';
import { MemoryCounterStore } from '../../src/adapters/counters/memory/memory-counter-store.ts';
import { createCounterStore, counterStoreConfigFrom } from '../../src/adapters/counters/create-counter-store.ts';
import { counterStoreConformance } from './counter-store.suite.ts';

counterStoreConformance('memory', async () => new MemoryCounterStore());
counterStoreConformance('memory (from createCounterStore)', () => createCounterStore(counterStoreConfigFrom({})));

describe('MemoryCounterStore', () => {
  const clocked = (options: { maxKeys?: number; sweepEveryMs?: number } = {}) => {
    const clock = { ms: 1_000 };
    return { clock, store: new MemoryCounterStore({ ...options, now: () => clock.ms }) };
  };

  it('counts in fixed windows on its clock and opens a new window at the end', async () => {
    const { clock, store } = clocked();
    expect(await store.hit('k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
    clock.ms += 400;
    expect(await store.hit('k', 1000)).toEqual({ count: 2, resetInMs: 600 });
    clock.ms += 599;
    expect(await store.peek('k')).toEqual({ count: 2, resetInMs: 1 });
    clock.ms += 1;
    expect(await store.peek('k')).toEqual({ count: 0, resetInMs: 0 });
    expect(await store.hit('k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
  });

  it('holds at most maxKeys keys, forgetting the least recently hit', async () => {
    const { store } = clocked({ maxKeys: 3 });
    for (const k of ['a', 'b', 'c']) await store.hit(k, 60_000);
    await store.hit('a', 60_000);
    await store.hit('d', 60_000);
    expect(store.size).toBe(3);
    expect((await store.peek('b')).count).toBe(0);
    expect((await store.peek('a')).count).toBe(2);
    expect((await store.peek('c')).count).toBe(1);
  });

  it('sweeps expired windows at the next hit after sweepEveryMs', async () => {
    const { clock, store } = clocked({ sweepEveryMs: 10_000 });
    for (let i = 0; i < 100; i++) await store.hit(`short-${i}`, 1_000);
    await store.hit('long', 60_000);
    clock.ms += 5_000;
    await store.hit('long', 60_000);
    expect(store.size).toBe(101);
    clock.ms += 5_000;
    await store.hit('long', 60_000);
    expect(store.size).toBe(1);
    expect((await store.peek('long')).count).toBe(3);
  });

  it('is local: the server uses it without a fallback', () => {
    expect(new MemoryCounterStore()).toMatchObject({ engine: 'memory', local: true });
  });
});
