import { circuitBreaker, ConsecutiveBreaker, handleAll, isBrokenCircuitError, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import type { CounterStore, CounterWindow } from './counter-store.ts';
import { MemoryCounterStore } from './memory/memory-counter-store.ts';

/** A counter-store operation, for failure reports. */
export type CounterOperation = 'hit' | 'peek' | 'reset';

/** Options of {@link FallbackCounterStore}. */
export interface FallbackCounterStoreOptions {
  /** Where counts go while the primary store is failing (default: a new {@link MemoryCounterStore}). */
  fallback?: CounterStore;
  /** An operation of the primary store slower than this counts as a failure (default 250 ms). */
  timeoutMs?: number;
  /** Consecutive failures after which the primary is skipped altogether (default 3). */
  breakAfter?: number;
  /** How long the primary is skipped before one call tries it again (default 5 000 ms). */
  retryAfterMs?: number;
  /** Each failure of the primary store (an error or a timeout): the caller logs and counts it. */
  onFailure?: (error: unknown, operation: CounterOperation) => void;
  /** `local` when counting moves to the fallback store (the breaker opened), `shared` when it moves back. */
  onModeChange?: (mode: 'local' | 'shared') => void;
}

/**
 * A {@link CounterStore} that keeps limiting when its primary store (Redis) fails: a failed or slow
 * operation is answered by the local fallback store instead, so the service stays up and still
 * limits, each instance on its own (a limit of 60/min becomes 60/min per instance during the
 * outage). After `breakAfter` consecutive failures a circuit breaker (cockatiel) stops calling the
 * primary, so requests do not each wait for its timeout; after `retryAfterMs` one call tries it again
 * and, when that succeeds, counting returns to the primary. Counts made locally during the outage
 * are not carried over.
 *
 * @example
 * const counters = new FallbackCounterStore(redisCounters, {
 *   onFailure: (err, op) => { log.warn({ err }, `counter store ${op} failed; counting locally`); failures.inc({ operation: op }); },
 * });
 */
export class FallbackCounterStore implements CounterStore {
  readonly local = false;
  private readonly fallback: CounterStore;
  private readonly policy;
  private readonly onFailure: NonNullable<FallbackCounterStoreOptions['onFailure']>;

  constructor(private readonly primary: CounterStore, options: FallbackCounterStoreOptions = {}) {
    this.fallback = options.fallback ?? new MemoryCounterStore();
    this.onFailure = options.onFailure ?? (() => {});
    const breaker = circuitBreaker(handleAll, { halfOpenAfter: options.retryAfterMs ?? 5_000, breaker: new ConsecutiveBreaker(options.breakAfter ?? 3) });
    breaker.onBreak(() => options.onModeChange?.('local'));
    breaker.onReset(() => options.onModeChange?.('shared'));
    // Aggressive: a hung call is abandoned at the timeout (its late answer is ignored).
    this.policy = wrap(breaker, timeout(options.timeoutMs ?? 250, TimeoutStrategy.Aggressive));
  }

  get engine(): string {
    return this.primary.engine;
  }

  hit(key: string, windowMs: number, cost?: number): Promise<CounterWindow> {
    return this.attempt('hit', (store) => store.hit(key, windowMs, cost));
  }

  peek(key: string): Promise<CounterWindow> {
    return this.attempt('peek', (store) => store.peek(key));
  }

  reset(key: string): Promise<void> {
    return this.attempt('reset', (store) => store.reset(key));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.primary.close(), this.fallback.close()]);
  }

  private async attempt<T>(operation: CounterOperation, run: (store: CounterStore) => Promise<T>): Promise<T> {
    try {
      // A signal per call: cockatiel's default one is shared, and concurrent timeouts would pile listeners on it.
      return await this.policy.execute(() => run(this.primary), new AbortController().signal);
    } catch (error) {
      // An open breaker is not a new failure: the primary was not called.
      if (!isBrokenCircuitError(error)) this.onFailure(error, operation);
      return run(this.fallback);
    }
  }
}
