import { CircuitState, type IBreaker } from 'cockatiel';

/**
 * The decision rule of an integration's circuit breaker, plugged into cockatiel's
 * CircuitBreakerPolicy (which owns the open / half-open / closed state machine): open when at
 * least `minimumCalls` attempts were made in the last `windowMs` and at least `failureRate` of them
 * failed, exactly as the spec's `breaker` block reads. cockatiel's SamplingBreaker approximates
 * this with a minimum rate per second and a strict "more than", and keeps samples older than the
 * window while traffic is sparse; this one forgets them on time.
 *
 * @example
 * circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new WindowBreaker({ failureRate: 0.5, windowMs: 30_000, minimumCalls: 10 }) });
 */
export class WindowBreaker implements IBreaker {
  /** Counts per time slice of a tenth of the window, oldest first. */
  private slices: Array<{ start: number; failures: number; successes: number }> = [];
  private readonly sliceMs: number;

  constructor(
    private readonly rule: { failureRate: number; windowMs: number; minimumCalls: number },
    private readonly now: () => number = Date.now,
  ) {
    this.sliceMs = Math.max(1, Math.ceil(rule.windowMs / 10));
  }

  /** For cockatiel's toJSON/initialState (not used by archspec, required by IBreaker). */
  get state(): unknown {
    return { slices: this.slices.map((s) => ({ ...s })) };
  }

  set state(value: unknown) {
    this.slices = (value as { slices?: WindowBreaker['slices'] } | undefined)?.slices?.map((s) => ({ ...s })) ?? [];
  }

  success(state: CircuitState): void {
    // A successful trial call closes the breaker: failures from before it opened no longer count.
    if (state === CircuitState.HalfOpen) this.slices = [];
    this.record(false);
  }

  failure(state: CircuitState): boolean {
    this.record(true);
    if (state !== CircuitState.Closed) return true; // a failed trial call opens it again
    let failures = 0;
    let total = 0;
    for (const s of this.slices) { failures += s.failures; total += s.failures + s.successes; }
    // The epsilon keeps 7 of 10 at 70% from losing to floating point (0.7 * 10 = 7.000000000000001).
    return total >= this.rule.minimumCalls && failures >= this.rule.failureRate * total - 1e-9;
  }

  private record(failed: boolean): void {
    const now = this.now();
    this.slices = this.slices.filter((s) => s.start > now - this.rule.windowMs);
    let slice = this.slices.at(-1);
    if (!slice || now - slice.start >= this.sliceMs) {
      slice = { start: now, failures: 0, successes: 0 };
      this.slices.push(slice);
    }
    if (failed) slice.failures++;
    else slice.successes++;
  }
}
