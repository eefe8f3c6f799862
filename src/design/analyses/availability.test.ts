import { describe, it, expect } from 'vitest';
import { downtimeAllowance, parallel, redundant, serial } from './availability.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

describe('downtimeAllowance', () => {
  it('gives 43.2 minutes per 30-day month and 8.76 hours per 365-day year at 99.9%', () => {
    const d = downtimeAllowance(0.999);
    expect(d.perMonthMs / MIN).toBeCloseTo(43.2, 10);
    expect(d.perYearMs / HOUR).toBeCloseTo(8.76, 10);
  });

  it('gives 4.32 minutes per 30-day month at 99.99%', () => {
    expect(downtimeAllowance(0.9999).perMonthMs / MIN).toBeCloseTo(4.32, 10);
  });

  it('gives 86.4 seconds per day and 10.08 minutes per week at 99.9%', () => {
    const d = downtimeAllowance(0.999);
    expect(d.perDayMs).toBeCloseTo(86_400, 6);
    expect(d.perWeekMs / MIN).toBeCloseTo(10.08, 10);
  });

  it('allows no downtime at 100% and the whole period at 0%', () => {
    expect(downtimeAllowance(1).perYearMs).toBe(0);
    expect(downtimeAllowance(0).perDayMs).toBe(86_400_000);
  });

  it('rejects availabilities given as percentages', () => {
    expect(() => downtimeAllowance(99.9)).toThrow(RangeError);
  });
});

describe('composition', () => {
  it('makes two 0.99 replicas in parallel 0.9999 available', () => {
    expect(parallel([0.99, 0.99])).toBeCloseTo(0.9999, 12);
    expect(redundant(0.99, 2)).toBeCloseTo(0.9999, 12);
  });

  it('gives 0.9993 for an LB at 0.9999, two app replicas at 0.99 and a DB at 0.9995', () => {
    expect(serial([0.9999, redundant(0.99, 2), 0.9995])).toBeCloseTo(0.9993, 4);
  });

  it('multiplies availabilities in series, so a chain is weaker than its weakest link', () => {
    expect(serial([0.9, 0.5])).toBeCloseTo(0.45, 12);
    expect(serial([0.99, 0.999])).toBeLessThan(0.99);
  });

  it('treats an empty chain as always up and an empty parallel group as always down', () => {
    expect(serial([])).toBe(1);
    expect(parallel([])).toBe(0);
    expect(redundant(0.99, 0)).toBe(0);
  });

  it('agrees with parallel for identical replicas', () => {
    expect(redundant(0.95, 3)).toBeCloseTo(parallel([0.95, 0.95, 0.95]), 12);
  });

  it('rejects out-of-range availabilities and fractional replica counts', () => {
    expect(() => serial([0.9, 1.1])).toThrow(RangeError);
    expect(() => parallel([-0.1])).toThrow(RangeError);
    expect(() => redundant(0.99, 1.5)).toThrow(RangeError);
  });
});
