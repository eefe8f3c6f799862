import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { erlangC, meanResponseTimeMs, responseTimeQuantile, serversForQuantile, waitQuantile } from './erlang-c.ts';

/** The reference workload: 200 req/s at 50 ms mean service time, i.e. 10 Erlangs. */
const ref = { arrivalRate: 200, serviceTimeMs: 50 };
const p99 = (servers: number) => responseTimeQuantile({ ...ref, servers, quantile: 0.99 });

describe('erlangC', () => {
  it('gives 0.6821 for 11 servers at 10 Erlangs', () => {
    expect(erlangC(11, 10)).toBeCloseTo(0.6821, 4);
  });

  it('equals the utilisation for a single server (M/M/1)', () => {
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12);
  });

  it('is 1 when the offered load reaches the number of servers and 0 with no load', () => {
    expect(erlangC(10, 10)).toBe(1);
    expect(erlangC(10, 25)).toBe(1);
    expect(erlangC(10, 0)).toBe(0);
  });

  it('stays finite and sane for 2000 servers at 1900 Erlangs', () => {
    const c = erlangC(2000, 1900);
    expect(Number.isFinite(c)).toBe(true);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(0.05);
    expect(erlangC(5000, 4990)).toBeGreaterThan(0.5);
  });

  it('rejects fractional or non-positive server counts', () => {
    expect(() => erlangC(2.5, 1)).toThrow(RangeError);
    expect(() => erlangC(0, 0)).toThrow(RangeError);
  });
});

describe('response and wait times', () => {
  it('gives a p99 response time of about 248.7 ms with 12 servers', () => {
    expect(p99(12)).toBeCloseTo(248.7, 1);
  });

  it('matches the exponential sojourn time of M/M/1', () => {
    // M/M/1 sojourn time is Exp(mu - lambda): 5 req/s at 100 ms gives a 200 ms mean.
    const q = responseTimeQuantile({ arrivalRate: 5, serviceTimeMs: 100, servers: 1, quantile: 0.9 });
    expect(q).toBeCloseTo(200 * Math.log(10), 6);
    expect(meanResponseTimeMs({ arrivalRate: 5, serviceTimeMs: 100, servers: 1 })).toBeCloseTo(200, 9);
  });

  it('is continuous where the queue drains exactly as fast as one server serves (c·mu − lambda = mu)', () => {
    const at = (arrivalRate: number) => responseTimeQuantile({ arrivalRate, serviceTimeMs: 50, servers: 12, quantile: 0.99 });
    expect(at(220)).toBeCloseTo(at(220 - 1e-7), 4);
    expect(at(220)).toBeCloseTo(at(220 + 1e-7), 4);
  });

  it('never goes below the service-time quantile', () => {
    expect(p99(1000)).toBeGreaterThanOrEqual(50 * Math.log(100));
    expect(p99(1000)).toBeCloseTo(50 * Math.log(100), 6);
  });

  it('is infinite when the queue is unstable', () => {
    expect(p99(10)).toBe(Infinity);
    expect(meanResponseTimeMs({ ...ref, servers: 9 })).toBe(Infinity);
    expect(waitQuantile({ ...ref, servers: 10, quantile: 0.5 })).toBe(Infinity);
  });

  it('reports no wait at quantiles that most arrivals reach without queueing', () => {
    // With 12 servers about 45% of arrivals wait, so the median arrival does not.
    expect(waitQuantile({ ...ref, servers: 12, quantile: 0.5 })).toBe(0);
    expect(waitQuantile({ ...ref, servers: 12, quantile: 0.99 })).toBeGreaterThan(0);
  });

  it('stays finite for 2000 servers at 1900 Erlangs', () => {
    const q = responseTimeQuantile({ arrivalRate: 38_000, serviceTimeMs: 50, servers: 2000, quantile: 0.99 });
    expect(q).toBeGreaterThanOrEqual(50 * Math.log(100));
    expect(q).toBeLessThan(240);
  });
});

describe('serversForQuantile', () => {
  it('needs 12 servers for a 250 ms p99 because 11 do not meet it', () => {
    expect(p99(11)).toBeGreaterThan(250);
    const result = serversForQuantile({ ...ref, quantile: 0.99, targetMs: 250 });
    expect(result).toEqual({ feasible: true, servers: 12, achievedMs: p99(12) });
  });

  it('declares a 230 ms p99 infeasible because p99 cannot go below 50 ms x ln 100', () => {
    const result = serversForQuantile({ ...ref, quantile: 0.99, targetMs: 230 });
    expect(result.feasible).toBe(false);
    if (result.feasible) return;
    expect(result.floorMs).toBeCloseTo(230.26, 2);
    expect(result.reason).toBe(
      'with exponential service times of 50 ms, p99 cannot go below 230.3 ms = 50 ms x ln 100, whatever the number of instances',
    );
  });

  it('declares a target infeasible when it needs more than maxServers', () => {
    const result = serversForQuantile({ ...ref, quantile: 0.99, targetMs: 240, maxServers: 12 });
    expect(result.feasible).toBe(false);
    if (!result.feasible) expect(result.reason).toContain('more than 12 instances');
  });

  it('writes large counts and times with thousands separators, one instance in the singular', () => {
    // 20,000/s x 50 ms = 1,000 Erlangs: 1,001 servers are needed just to keep up, more than the 999 allowed.
    const many = serversForQuantile({ arrivalRate: 20_000, serviceTimeMs: 50, quantile: 0.99, targetMs: 1500, maxServers: 999 });
    expect(many.feasible).toBe(false);
    if (!many.feasible) expect(many.reason).toBe('p99 of 1,500 ms needs more than 999 instances (1,001 are needed just to keep up)');
    const one = serversForQuantile({ ...ref, quantile: 0.99, targetMs: 240, maxServers: 1 });
    if (!one.feasible) expect(one.reason).toMatch(/^p99 of 240 ms needs more than 1 instance \(/);
    expect(one.feasible).toBe(false);
  });

  it('returns the smallest stable count when it already meets a loose target', () => {
    expect(serversForQuantile({ ...ref, quantile: 0.5, targetMs: 10_000 })).toMatchObject({ feasible: true, servers: 11 });
  });
});

describe('properties', () => {
  const queue = fc.record({
    servers: fc.integer({ min: 1, max: 300 }),
    utilisation: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    serviceTimeMs: fc.double({ min: 0.1, max: 10_000, noNaN: true }),
    quantile: fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
  });

  it('keeps erlangC within [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 6000, noNaN: true }), (c, a) => {
        const p = erlangC(c, a);
        return p >= 0 && p <= 1;
      }),
    );
  });

  it('never increases the quantiles when a server is added', () => {
    fc.assert(
      fc.property(queue, ({ servers, utilisation, serviceTimeMs, quantile }) => {
        const arrivalRate = (utilisation * servers * 1000) / serviceTimeMs;
        const at = (c: number) => ({ arrivalRate, serviceTimeMs, servers: c, quantile });
        const tolerance = 1 + 1e-9;
        expect(responseTimeQuantile(at(servers + 1))).toBeLessThanOrEqual(responseTimeQuantile(at(servers)) * tolerance);
        expect(waitQuantile(at(servers + 1))).toBeLessThanOrEqual(waitQuantile(at(servers)) * tolerance);
      }),
    );
  });

  it('finds a server count that meets the target while one fewer does not', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 5000, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        fc.double({ min: 0.001, max: 3, noNaN: true }),
        (arrivalRate, serviceTimeMs, quantile, slack) => {
          const targetMs = serviceTimeMs * Math.log(1 / (1 - quantile)) * (1 + slack);
          const result = serversForQuantile({ arrivalRate, serviceTimeMs, quantile, targetMs });
          expect(result.feasible).toBe(true);
          if (!result.feasible) return;
          const at = (servers: number) => responseTimeQuantile({ arrivalRate, serviceTimeMs, servers, quantile });
          expect(result.achievedMs).toBe(at(result.servers));
          expect(result.achievedMs).toBeLessThanOrEqual(targetMs);
          if (result.servers > 1) expect(at(result.servers - 1)).toBeGreaterThan(targetMs);
        },
      ),
    );
  });
});
