import { describe, it, expect } from 'vitest';
import { burnRateAlerts } from './burn-rate.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

describe('burnRateAlerts', () => {
  it('gives the SRE Workbook rows for a 99.9% 30-day SLO', () => {
    const [fast, slow, ticket] = burnRateAlerts(0.999);
    expect(fast).toMatchObject({ severity: 'page', longWindow: '1h', shortWindow: '5m', budgetConsumed: 0.02 });
    expect(fast!.burnRate).toBeCloseTo(14.4, 10);
    expect(slow).toMatchObject({ severity: 'page', longWindow: '6h', shortWindow: '30m', budgetConsumed: 0.05 });
    expect(slow!.burnRate).toBeCloseTo(6, 10);
    expect(ticket).toMatchObject({ severity: 'ticket', longWindow: '3d', shortWindow: '6h', budgetConsumed: 0.1 });
    expect(ticket!.burnRate).toBeCloseTo(1, 10);
  });

  it('sets error-rate thresholds of 1.44%, 0.6% and 0.1% for a 99.9% SLO', () => {
    const thresholds = burnRateAlerts(0.999).map((a) => a.errorRateThreshold);
    expect(thresholds[0]).toBeCloseTo(0.0144, 12);
    expect(thresholds[1]).toBeCloseTo(0.006, 12);
    expect(thresholds[2]).toBeCloseTo(0.001, 12);
  });

  it('expresses the windows in milliseconds, short windows being 1/12 of long ones', () => {
    const alerts = burnRateAlerts(0.999);
    expect(alerts.map((a) => a.longWindowMs)).toEqual([HOUR, 6 * HOUR, 72 * HOUR]);
    expect(alerts.map((a) => a.shortWindowMs)).toEqual([5 * MIN, 30 * MIN, 6 * HOUR]);
    for (const a of alerts) expect(a.shortWindowMs * 12).toBe(a.longWindowMs);
  });

  it('spends exactly the stated budget fraction when the burn rate is sustained over the long window', () => {
    for (const a of burnRateAlerts(0.995, 30)) {
      const budgetMs = 30 * 24 * HOUR;
      expect((a.burnRate * a.longWindowMs) / budgetMs).toBeCloseTo(a.budgetConsumed, 12);
    }
  });

  it('scales burn rates with the SLO window', () => {
    const [fast, , ticket] = burnRateAlerts(0.999, 28);
    expect(fast!.burnRate).toBeCloseTo(13.44, 10);
    expect(ticket!.burnRate).toBeCloseTo(28 / 30, 10);
  });

  it('keeps burn rates independent of the SLO target while thresholds follow the error budget', () => {
    const loose = burnRateAlerts(0.99);
    expect(loose.map((a) => a.burnRate)).toEqual(burnRateAlerts(0.9999).map((a) => a.burnRate));
    expect(loose[0]!.errorRateThreshold).toBeCloseTo(0.144, 12);
  });

  it('marks rows infeasible when the threshold would exceed 100% of requests', () => {
    const alerts = burnRateAlerts(0.9);
    expect(alerts[0]!.errorRateThreshold).toBeCloseTo(1.44, 10);
    expect(alerts.map((a) => a.feasible)).toEqual([false, true, true]);
    expect(burnRateAlerts(0.999).every((a) => a.feasible)).toBe(true);
  });

  it('rejects SLOs outside (0, 1) and non-positive windows', () => {
    expect(() => burnRateAlerts(99.9)).toThrow(RangeError);
    expect(() => burnRateAlerts(1)).toThrow(RangeError);
    expect(() => burnRateAlerts(0.999, 0)).toThrow(RangeError);
  });
});
