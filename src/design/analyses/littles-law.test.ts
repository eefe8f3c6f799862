import { describe, it, expect } from 'vitest';
import { inFlight } from './littles-law.ts';

describe('inFlight', () => {
  it('holds 10 requests in flight at 200 req/s and 50 ms per request', () => {
    expect(inFlight(200, 50)).toBeCloseTo(10, 12);
  });

  it('scales linearly with both rate and time', () => {
    expect(inFlight(400, 50)).toBeCloseTo(2 * inFlight(200, 50), 12);
    expect(inFlight(200, 150)).toBeCloseTo(3 * inFlight(200, 50), 12);
  });

  it('returns fractional occupancy for light load and zero for no load', () => {
    expect(inFlight(1, 250)).toBeCloseTo(0.25, 12);
    expect(inFlight(0, 250)).toBe(0);
  });

  it('rejects negative or non-finite inputs', () => {
    expect(() => inFlight(-1, 50)).toThrow(RangeError);
    expect(() => inFlight(10, Number.NaN)).toThrow(RangeError);
    expect(() => inFlight(Infinity, 50)).toThrow(RangeError);
  });
});
