import { describe, it, expect } from 'vitest';
import { findingsOf } from '../test-support/linkly-fixture.ts';

describe('integration-without-timeout', () => {
  it('accepts integrations with timeouts', () => {
    expect(findingsOf('integration-without-timeout')).toEqual([]);
  });

  it('flags one without', () => {
    const findings = findingsOf('integration-without-timeout', (spec) => { delete spec.requirements.integrations.geoip.timeout; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'requirements.integrations.geoip' });
  });
});

describe('integration-without-breaker', () => {
  it('accepts integrations with breakers', () => {
    expect(findingsOf('integration-without-breaker')).toEqual([]);
  });

  it('flags one without', () => {
    const findings = findingsOf('integration-without-breaker', (spec) => { delete spec.requirements.integrations.geoip.breaker; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'requirements.integrations.geoip' });
    expect(findings[0]!.message).toBe('geoip has no circuit breaker: while it is down, every request still waits for its timeout and retries');
  });
});

describe('retry-without-idempotency', () => {
  it('accepts retries of idempotent calls, and non-idempotent calls without retries', () => {
    expect(findingsOf('retry-without-idempotency')).toEqual([]);
    expect(findingsOf('retry-without-idempotency', (spec) => {
      Object.assign(spec.requirements.integrations.geoip, { idempotent: false, retry: 0 });
    })).toEqual([]);
  });

  it('flags retries of calls that are not idempotent', () => {
    const findings = findingsOf('retry-without-idempotency', (spec) => { spec.requirements.integrations.geoip.idempotent = false; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', path: 'requirements.integrations.geoip' });
    expect(findings[0]!.message).toMatch(/^geoip retries 1 time although/);
  });
});

describe('timeout-exceeds-budget', () => {
  it('flags Linkly safebrowsing once: a 300 ms timeout against its 60 ms budget', () => {
    // Both shorten targets (p95, p99) give the step its explicit 60 ms; 300 ms x 3 attempts = 900 ms worst case.
    const findings = findingsOf('timeout-exceeds-budget');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'flows.shorten.steps[2]', at: { line: 74, column: 9 } });
    expect(findings[0]!.message).toBe(
      "safebrowsing's 300 ms timeout is longer than its 60 ms budget in shorten (write p95 200 ms); with retries a slow call takes up to 900 ms",
    );
  });

  it('leaves out the retry clause when the integration does not retry', () => {
    const [f] = findingsOf('timeout-exceeds-budget', (spec) => { spec.requirements.integrations.safebrowsing.retry = 0; });
    expect(f!.message).toBe("safebrowsing's 300 ms timeout is longer than its 60 ms budget in shorten (write p95 200 ms)");
  });

  it('stays quiet once the timeout fits the budget', () => {
    expect(findingsOf('timeout-exceeds-budget', (spec) => { spec.requirements.integrations.safebrowsing.timeout = '60ms'; })).toEqual([]);
  });

  it('quotes the tightest shared budget when the step has none of its own', () => {
    // Without latency: 60ms, p95 gives safebrowsing 200 x 40/57 = 140.4 ms and p99 400 x 40/57 = 280.7 ms; both < 300 ms.
    const findings = findingsOf('timeout-exceeds-budget', (spec) => { spec.flows.shorten.steps[2] = { to: 'safebrowsing' }; });
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toMatch(/longer than its 140\.4 ms budget/);
    expect(findings[0]!.hint).toMatch(/give this step a larger latency: budget/);
  });
});
