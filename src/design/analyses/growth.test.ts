import { describe, it, expect } from 'vitest';
import { projectMonthly } from './growth.ts';

describe('projectMonthly', () => {
  it('grows 50,000 at 10%/month to about 492,487 at month 24', () => {
    const points = projectMonthly(50_000, 0.1, 24);
    expect(points).toHaveLength(25);
    expect(points[24]).toEqual({ month: 24, value: expect.closeTo(492_487, 0) });
  });

  it('starts at the start value on month 0 and numbers months consecutively', () => {
    const points = projectMonthly(100, 0.5, 3);
    expect(points.map((p) => p.month)).toEqual([0, 1, 2, 3]);
    expect(points.map((p) => p.value)).toEqual([100, 150, 225, 337.5]);
  });

  it('compounds rather than adding a fixed amount', () => {
    const [, first, second] = projectMonthly(1000, 0.1, 2);
    expect(second!.value - first!.value).toBeGreaterThan(first!.value - 1000);
  });

  it('stays flat at zero growth and declines at negative growth', () => {
    expect(projectMonthly(42, 0, 5).every((p) => p.value === 42)).toBe(true);
    expect(projectMonthly(1000, -0.5, 2).map((p) => p.value)).toEqual([1000, 500, 250]);
  });

  it('returns just the starting point for a zero-month horizon', () => {
    expect(projectMonthly(7, 0.1, 0)).toEqual([{ month: 0, value: 7 }]);
  });

  it('rejects a growth of -100% or less and fractional horizons', () => {
    expect(() => projectMonthly(1, -1, 3)).toThrow(RangeError);
    expect(() => projectMonthly(1, 0.1, 2.5)).toThrow(RangeError);
    expect(() => projectMonthly(1, 0.1, -1)).toThrow(RangeError);
  });
});
