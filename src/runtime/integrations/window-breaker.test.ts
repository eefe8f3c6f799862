import { CircuitState } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { WindowBreaker } from './window-breaker.ts';

function breaker(rule: { failureRate: number; windowMs: number; minimumCalls: number }) {
  let now = 1_000_000;
  const b = new WindowBreaker(rule, () => now);
  return { b, advance: (ms: number) => { now += ms; } };
}

describe('WindowBreaker', () => {
  it('opens only once minimumCalls were made in the window', () => {
    const { b } = breaker({ failureRate: 0.5, windowMs: 10_000, minimumCalls: 4 });
    expect(b.failure(CircuitState.Closed)).toBe(false);
    expect(b.failure(CircuitState.Closed)).toBe(false);
    expect(b.failure(CircuitState.Closed)).toBe(false);
    expect(b.failure(CircuitState.Closed)).toBe(true);
  });

  it('opens at exactly the failure rate ("40% of the calls fail")', () => {
    const { b } = breaker({ failureRate: 0.4, windowMs: 10_000, minimumCalls: 5 });
    for (let i = 0; i < 3; i++) b.success(CircuitState.Closed);
    expect(b.failure(CircuitState.Closed)).toBe(false); // 1 of 4: too few calls
    expect(b.failure(CircuitState.Closed)).toBe(true); // 2 of 5 = 40%
  });

  it('stays closed below the rate and opens at it despite floating point (7 of 10 at 70%)', () => {
    const below = breaker({ failureRate: 0.7, windowMs: 10_000, minimumCalls: 10 }).b;
    for (let i = 0; i < 4; i++) below.success(CircuitState.Closed);
    for (let i = 0; i < 6; i++) expect(below.failure(CircuitState.Closed)).toBe(false); // 6 of 10 = 60%
    const at = breaker({ failureRate: 0.7, windowMs: 10_000, minimumCalls: 10 }).b;
    for (let i = 0; i < 3; i++) at.success(CircuitState.Closed);
    for (let i = 0; i < 6; i++) expect(at.failure(CircuitState.Closed)).toBe(false); // fewer than 10 calls
    expect(at.failure(CircuitState.Closed)).toBe(true);
  });

  it('forgets calls older than the window', () => {
    const { b, advance } = breaker({ failureRate: 0.5, windowMs: 1_000, minimumCalls: 3 });
    b.failure(CircuitState.Closed);
    b.failure(CircuitState.Closed);
    advance(1_001);
    expect(b.failure(CircuitState.Closed)).toBe(false); // the two earlier failures are gone
    advance(500);
    b.failure(CircuitState.Closed);
    expect(b.failure(CircuitState.Closed)).toBe(true);
  });

  it('re-opens on a failed trial and starts afresh after a successful one', () => {
    const { b } = breaker({ failureRate: 0.5, windowMs: 10_000, minimumCalls: 3 });
    expect(b.failure(CircuitState.HalfOpen)).toBe(true);
    b.success(CircuitState.HalfOpen);
    // Only the successful trial and this failure count: 2 calls, fewer than minimumCalls.
    expect(b.failure(CircuitState.Closed)).toBe(false);
    expect(b.failure(CircuitState.Closed)).toBe(true);
  });
});
