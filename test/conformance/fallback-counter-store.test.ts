import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { CounterStore, CounterWindow } from '../../src/adapters/counters/counter-store.ts';
import { FallbackCounterStore, type CounterOperation } from '../../src/adapters/counters/fallback-counter-store.ts';
import { MemoryCounterStore } from '../../src/adapters/counters/memory/memory-counter-store.ts';
import { counterStoreConformance } from './counter-store.suite.ts';

/** A remote store that can be taken down (every call rejects) or made to hang; counts its calls. */
class FlakyStore implements CounterStore {
  readonly engine = 'flaky';
  readonly local = false;
  mode: 'up' | 'down' | 'hang' = 'up';
  calls = 0;
  private readonly inner = new MemoryCounterStore();

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    this.calls += 1;
    if (this.mode === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    if (this.mode === 'hang') await sleep(1_000);
    return fn();
  }

  hit(key: string, windowMs: number, cost?: number): Promise<CounterWindow> { return this.run(() => this.inner.hit(key, windowMs, cost)); }
  peek(key: string): Promise<CounterWindow> { return this.run(() => this.inner.peek(key)); }
  reset(key: string): Promise<void> { return this.run(() => this.inner.reset(key)); }
  async close(): Promise<void> {}
}

counterStoreConformance('fallback over a working store', async () => new FallbackCounterStore(new MemoryCounterStore()));
counterStoreConformance('fallback over a store that is down', async () => {
  const down = new FlakyStore();
  down.mode = 'down';
  return new FallbackCounterStore(down);
});

describe('FallbackCounterStore', () => {
  const setup = (options: { breakAfter?: number; retryAfterMs?: number; timeoutMs?: number } = {}) => {
    const primary = new FlakyStore();
    const failures: CounterOperation[] = [];
    const modes: string[] = [];
    const store = new FallbackCounterStore(primary, { ...options, onFailure: (_e, op) => failures.push(op), onModeChange: (m) => modes.push(m) });
    return { primary, store, failures, modes };
  };

  it('counts in the primary store while it works', async () => {
    const { primary, store, failures } = setup();
    await store.hit('k', 60_000);
    expect((await store.hit('k', 60_000)).count).toBe(2);
    expect(primary.calls).toBe(2);
    expect(failures).toEqual([]);
    expect(store).toMatchObject({ engine: 'flaky', local: false });
  });

  it('keeps limiting locally when the primary fails, reporting each failure', async () => {
    const { primary, store, failures } = setup({ breakAfter: 100 });
    primary.mode = 'down';
    expect((await store.hit('k', 60_000)).count).toBe(1);
    expect((await store.hit('k', 60_000)).count).toBe(2);
    expect((await store.peek('k')).count).toBe(2);
    await store.reset('k');
    expect((await store.peek('k')).count).toBe(0);
    expect(failures).toEqual(['hit', 'hit', 'peek', 'reset', 'peek']);
  });

  it('stops calling a failing primary after breakAfter failures and tries it again after retryAfterMs', async () => {
    const { primary, store, failures, modes } = setup({ breakAfter: 2, retryAfterMs: 150 });
    primary.mode = 'down';
    for (let i = 0; i < 10; i++) await store.hit('k', 60_000);
    expect(primary.calls).toBe(2);
    expect(failures).toHaveLength(2);
    expect(modes).toEqual(['local']);
    expect((await store.peek('k')).count).toBe(10);
    primary.mode = 'up';
    await sleep(200);
    expect((await store.hit('k', 60_000)).count).toBe(1);
    expect(modes).toEqual(['local', 'shared']);
    expect((await store.hit('k', 60_000)).count).toBe(2);
    expect(primary.calls).toBe(4);
  });

  it('treats a primary slower than timeoutMs as failing and answers from the fallback at once', async () => {
    const { primary, store, failures } = setup({ timeoutMs: 50 });
    primary.mode = 'hang';
    const started = Date.now();
    expect((await store.hit('k', 60_000)).count).toBe(1);
    expect(Date.now() - started).toBeLessThan(900);
    expect(failures).toEqual(['hit']);
  });
});
