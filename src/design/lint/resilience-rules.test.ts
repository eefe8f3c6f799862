import { describe, it, expect } from 'vitest';
import { findingsOf } from '../test-support/linkly-fixture.ts';

describe('single-point-of-failure', () => {
  it('stays quiet on Linkly, whose synchronous steps all run at least two replicas', () => {
    expect(findingsOf('single-point-of-failure')).toEqual([]);
  });

  it('flags the cache at its visit step once its redundancy is gone', () => {
    const [f, ...rest] = findingsOf('single-point-of-failure', (spec) => { delete spec.resilience.redundancy.cache; });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'warning', path: 'flows.visit.steps[2]' });
    expect(f!.message).toBe('cache runs as a single replica on the request path of visit: one failure stops that flow, under a 99.95% availability target');
    expect(f!.hint).toBe('Add resilience.redundancy.cache with replicas: 2 or more.');
  });

  it('names every flow a single-replica component serves, at its first step', () => {
    const findings = findingsOf('single-point-of-failure', (spec) => {
      delete spec.resilience.redundancy.links;
      spec.scalability.horizontal.components = ['gateway'];
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ path: 'flows.shorten.steps[1]' });
    expect(findings[0]!.message).toMatch(/shorten, visit: one failure stops those flows/);
    expect(findings[0]!.hint).toMatch(/scalability\.horizontal\.components/);
  });

  it('accepts single replicas under a target below 99.9%', () => {
    expect(findingsOf('single-point-of-failure', (spec) => {
      delete spec.resilience.redundancy.cache;
      spec.requirements.nonFunctional.availability = '99.5%';
    })).toEqual([]);
  });
});

describe('availability-target-unreachable', () => {
  it('stays quiet when every flow meets the target', () => {
    expect(findingsOf('availability-target-unreachable')).toEqual([]);
  });

  it('flags shorten when safebrowsing fails closed', () => {
    // 0.999 x (nearly 1 for the redundant steps) = 99.9% < 99.95%.
    const findings = findingsOf('availability-target-unreachable', (spec) => { spec.requirements.integrations.safebrowsing.fallback = 'deny'; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', path: 'flows.shorten' });
    expect(findings[0]!.message).toBe('shorten composes to 99.9%, below the 99.95% availability target; its weakest step is safebrowsing');
    expect(findings[0]!.hint).toMatch(/fallback that still answers/);
  });
});

describe('single-database-no-backup', () => {
  it('accepts point-in-time restore or a backup rule', () => {
    expect(findingsOf('single-database-no-backup')).toEqual([]);
    expect(findingsOf('single-database-no-backup', (spec) => {
      spec.resilience.recovery = ['retry', 'failover'];
      spec.requirements.data.push({ rule: 'backup', rpo: '15m', rto: '1h' });
    })).toEqual([]);
  });

  it('flags the primary database with neither', () => {
    const findings = findingsOf('single-database-no-backup', (spec) => { spec.resilience.recovery = ['retry', 'failover']; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'architecture.storage.primary' });
  });
});
