import { LRUCache } from 'lru-cache';
import { NO_WINDOW, type CounterStore, type CounterWindow } from '../counter-store.ts';

/** Options of {@link MemoryCounterStore}. */
export interface MemoryCounterStoreOptions {
  /** Most keys kept (default 100 000); beyond it the least recently hit key is forgotten. */
  maxKeys?: number;
  /** How often expired windows are swept, at the next hit after this long (default 60 000 ms). */
  sweepEveryMs?: number;
  /** Milliseconds on a monotonic clock (default `performance.now`); tests pass a fake one. */
  now?: () => number;
}

interface Window {
  count: number;
  endsAt: number;
}

/**
 * {@link CounterStore} in this process's memory. Bounded: at most `maxKeys` keys (an LRU cache,
 * so a flood of new keys evicts the idlest ones, whose counts restart, rather than growing the
 * heap), and expired windows are swept at most once per `sweepEveryMs`. The clock is monotonic, so
 * a wall-clock change neither ends nor stretches a window. Counts are per process: each instance of
 * a service limits on its own.
 *
 * @example
 * const counters = new MemoryCounterStore();
 * const { count, resetInMs } = await counters.hit('rl:POST /links:user:42', 60_000);
 */
export class MemoryCounterStore implements CounterStore {
  readonly engine = 'memory';
  readonly local = true;
  private readonly windows: LRUCache<string, Window>;
  private readonly sweepEveryMs: number;
  private readonly now: () => number;
  private nextSweep: number;

  constructor(options: MemoryCounterStoreOptions = {}) {
    this.windows = new LRUCache({ max: options.maxKeys ?? 100_000 });
    this.sweepEveryMs = options.sweepEveryMs ?? 60_000;
    this.now = options.now ?? (() => performance.now());
    this.nextSweep = this.now() + this.sweepEveryMs;
  }

  async hit(key: string, windowMs: number, cost = 1): Promise<CounterWindow> {
    const now = this.now();
    if (now >= this.nextSweep) this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.endsAt <= now) {
      w = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count += cost;
    return { count: w.count, resetInMs: w.endsAt - now };
  }

  async peek(key: string): Promise<CounterWindow> {
    const now = this.now();
    // peek() reads without refreshing the key's place in the LRU order.
    const w = this.windows.peek(key);
    return !w || w.endsAt <= now ? { ...NO_WINDOW } : { count: w.count, resetInMs: w.endsAt - now };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async close(): Promise<void> {
    this.windows.clear();
  }

  /** Keys currently held, expired or not (for tests of the bound and the sweep). */
  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    const expired: string[] = [];
    for (const [key, w] of this.windows.entries()) if (w.endsAt <= now) expired.push(key);
    for (const key of expired) this.windows.delete(key);
    this.nextSweep = now + this.sweepEveryMs;
  }
}
