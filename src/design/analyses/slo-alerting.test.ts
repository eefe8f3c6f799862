import { describe, it, expect } from 'vitest';
import { sloAlerting } from './slo-alerting.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';

describe('sloAlerting', () => {
  const slos = sloAlerting(linklyModel());

  it('derives one availability SLO and one per latency target', () => {
    expect(slos.map((s) => s.slo)).toEqual([
      'availability 99.95%',
      'read p95 under 50 ms (95% of read requests)',
      'read p99 under 120 ms (99% of read requests)',
      'write p95 under 200 ms (95% of write requests)',
      'write p99 under 400 ms (99% of write requests)',
    ]);
    expect(slos.map((s) => s.objective)).toEqual([0.9995, 0.95, 0.99, 0.95, 0.99]);
    expect(slos.every((s) => s.windowDays === 30)).toBe(true);
  });

  it('writes a long latency target with thousands separators', () => {
    const slo = sloAlerting(linklyModel((spec) => { spec.requirements.nonFunctional.latency.write = { p99: '1500ms' }; }));
    expect(slo.map((s) => s.slo)).toContain('write p99 under 1,500 ms (99% of write requests)');
  });

  it('pages at 0.72% errors over 1h for 99.95% and tickets at 0.05% over 3d', () => {
    // thresholds = burn rate x (1 - 0.9995): 14.4 x 0.0005 = 0.0072, 6 x 0.0005 = 0.003, 1 x 0.0005 = 0.0005.
    const [fast, slow, ticket] = slos[0]!.alerts;
    expect(fast).toMatchObject({ severity: 'page', longWindow: '1h', shortWindow: '5m', feasible: true });
    expect(fast!.threshold).toBeCloseTo(0.0072, 12);
    expect(slow!.threshold).toBeCloseTo(0.003, 12);
    expect(ticket).toMatchObject({ severity: 'ticket', longWindow: '3d' });
    expect(ticket!.threshold).toBeCloseTo(0.0005, 12);
  });

  it('alerts on slow requests for a p95 target: 72% slow over 1h pages', () => {
    // 14.4 x (1 - 0.95) = 0.72, 6 x 0.05 = 0.3, 1 x 0.05 = 0.05.
    expect(slos[1]!.alerts.map((a) => a.threshold)).toEqual([expect.closeTo(0.72, 12), expect.closeTo(0.3, 12), expect.closeTo(0.05, 12)]);
  });

  it('keeps a p50 fast-burn row but marks it infeasible, since 14.4 x 50% exceeds every request', () => {
    const p50 = sloAlerting(linklyModel((spec) => { spec.requirements.nonFunctional.latency.read.p50 = '20ms'; }))
      .find((s) => s.slo.startsWith('read p50'))!;
    expect(p50.objective).toBe(0.5);
    // 14.4 x 0.5 = 7.2 > 1 and 6 x 0.5 = 3 > 1: infeasible; 1 x 0.5 = 0.5 is feasible.
    expect(p50.alerts.map((a) => a.feasible)).toEqual([false, false, true]);
  });

  it('scales burn rates with a 28-day SLO window', () => {
    const [availability] = sloAlerting(linklyModel((spec) => { spec.requirements.nonFunctional.sloWindow = '28d'; }));
    // 2% of a 28-day budget in 1h: 0.02 x 672h / 1h = 13.44.
    expect(availability!.windowDays).toBe(28);
    expect(availability!.alerts[0]!.burnRate).toBeCloseTo(13.44, 10);
  });
});
