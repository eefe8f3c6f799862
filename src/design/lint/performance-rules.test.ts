import { describe, it, expect } from 'vitest';
import { findingsOf } from '../test-support/linkly-fixture.ts';

describe('latency-infeasible', () => {
  it('stays quiet when every flow fits its targets', () => {
    expect(findingsOf('latency-infeasible')).toEqual([]);
  });

  it('flags visit p95 when its typical latencies add up past 50 ms', () => {
    // gateway 2 + links 60 + cache 1 = 63 ms > 50 ms; p99 (120 ms) still fits.
    const findings = findingsOf('latency-infeasible', (spec) => { spec.architecture.components.links.latency = '60ms'; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', path: 'flows.visit' });
    expect(findings[0]!.message).toBe(
      'visit cannot meet its read p95 target of 50 ms: the typical latencies of the synchronous steps add up to 63 ms, more than the p95 target of 50 ms',
    );
  });
});

describe('capacity-infeasible', () => {
  it('stays quiet when instances can meet every target', () => {
    expect(findingsOf('capacity-infeasible')).toEqual([]);
  });

  it('flags a target below the service-time floor at the service time', () => {
    // 20 ms x ln 20 = 59.9 ms > 50 ms.
    const findings = findingsOf('capacity-infeasible', (spec) => { spec.scalability.capacity.serviceTime.read = '20ms'; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', path: 'scalability.capacity.serviceTime.read' });
    expect(findings[0]!.message).toMatch(/^the read p95 target of 50 ms cannot be met: .*59\.9 ms/);
  });
});

describe('capacity-exceeds-max', () => {
  it('flags Linkly, whose horizon needs 253 instances against a maximum of 30', () => {
    // months: 27, 30, 33, ... 253 (see capacity-plan.test.ts); month 2 is the first over 30.
    const findings = findingsOf('capacity-exceeds-max');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'scalability.instances.max' });
    expect(findings[0]!.message).toBe('month 24 needs 253 instances at peak but scalability.instances.max is 30; the plan outgrows it in month 2 (33 instances)');
  });

  it('stays quiet when the maximum covers the horizon', () => {
    expect(findingsOf('capacity-exceeds-max', (spec) => { spec.scalability.instances.max = 260; })).toEqual([]);
  });
});
