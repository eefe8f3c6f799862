import { describe, it, expect } from 'vitest';
import { capacityPlan } from './capacity-plan.ts';
import { erlangC, responseTimeQuantile } from './erlang-c.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';

describe('capacityPlan on Linkly', () => {
  const plan = capacityPlan(linklyModel());

  it('derives peak traffic from users, requests per user, peak factor and mix', () => {
    // 50,000 users x 2/min = 1,666.7 req/s on average; x3 at peak = 5,000 req/s: read 90% = 4,500, write 10% = 500.
    const launch = plan.months[0]!;
    expect(launch.peakRps).toBeCloseTo(5000, 6);
    expect(launch.rpsByOperation.read).toBeCloseTo(4500, 6);
    expect(launch.rpsByOperation.write).toBeCloseTo(500, 6);
    // 24 months at 10%/month: 50,000 x 1.1^24 = 492,486.6 users -> 49,248.7 req/s at peak.
    expect(plan.months).toHaveLength(25);
    expect(plan.months[24]!.concurrentUsers).toBeCloseTo(492_486.6, 1);
    expect(plan.months[24]!.peakRps).toBeCloseTo(49_248.66, 2);
  });

  it('needs 27 instances at launch: 19 for reads and 8 for writes', () => {
    // read: 4,500/s x 4 ms = 18 Erlangs, so 19 servers is the first stable count. With c = 19, the queue drains at
    // alpha = (19 - 18)/4 ms = 0.25/ms; P(T > t) <= P(W > w) + P(S > s), so p95 <= ln(40)/0.25 + 4 ln(40) = 29.5 ms < 50.
    // write: 500/s x 15 ms = 7.5 Erlangs -> 8 servers; alpha = 0.5/15 ms, p95 <= 30 ln 40 + 15 ln 40 = 166 ms < 200.
    expect(responseTimeQuantile({ arrivalRate: 4500, serviceTimeMs: 4, servers: 19, quantile: 0.95 })).toBeLessThan(29.5);
    expect(plan.instancesAtLaunch).toBe(27);
    expect(plan.months[0]!.instances).toBe(27);
  });

  it('needs 253 instances at the horizon, more than the maximum of 30', () => {
    // read: 44,323.8/s x 4 ms = 177.3 Erlangs -> 178 servers (alpha = 0.705/4 ms, p95 <= 35.7 ms < 50).
    // write: 4,924.9/s x 15 ms = 73.87 Erlangs; 74 servers leave alpha = 0.127/15 ms, so P(W > 200 ms) = C e^-1.69
    // = 0.184 C, over 5% because C is near 1; 75 servers give alpha = 1.127/15 and p95 <= 104 ms.
    expect(erlangC(74, 4924.866 * 0.015) * Math.exp(-((74 - 4924.866 * 0.015) / 15) * 200)).toBeGreaterThan(0.05);
    const byTarget = Object.fromEntries(plan.targets.map((t) => [`${t.operation} ${t.percentile}`, t.servers]));
    expect(byTarget).toEqual({ 'read p95': 178, 'read p99': 178, 'write p95': 75, 'write p99': 75 });
    expect(plan.instancesAtHorizon).toBe(253);
    expect(plan.exceedsMax).toBe(true);
  });

  it("counts database connections in flight with Little's law", () => {
    // launch: 4,500/s x 1 ms + 500/s x 5 ms = 4.5 + 2.5 = 7; horizon: 44.32 + 24.62 = 68.95 against 20 x 253 = 5,060.
    expect(plan.months[0]!.dbConnections).toBeCloseTo(7, 10);
    expect(plan.dbConnectionsAtHorizon).toBeCloseTo(68.95, 2);
    expect(plan.dbPoolCapacityAtHorizon).toBe(5060);
  });

  it('states the model and where measured service times go', () => {
    expect(plan.serviceTimeSource).toBe('assumed');
    const text = plan.method.join(' ');
    expect(text).toMatch(/M\/M\/c/);
    expect(text).toMatch(/exponential/);
    expect(text).toMatch(/Little's law/);
    expect(text).toMatch(/sum over operation types/);
    expect(text).toMatch(/scalability\.capacity\.serviceTime with source: measured/);
  });

  it('writes its figures with thousands separators and nouns that agree in number', () => {
    expect(plan.method[0]).toBe(
      'Concurrent users start at 50,000 and grow 10%/month for 24 months. Each makes 2 requests a minute on average; ' +
        'the peak is 3 times the average, split by the request mix (read 90%, write 10%).',
    );
    expect(plan.method[1]).toMatch(/one instance serves 1 request at a time/);
  });
});

describe('capacityPlan variants', () => {
  it('divides servers by serversPerInstance, rounding up', () => {
    const plan = capacityPlan(linklyModel((spec) => { spec.scalability.capacity.serversPerInstance = 4; }));
    // launch: ceil(19/4) + ceil(8/4) = 5 + 2 = 7.
    expect(plan.instancesAtLaunch).toBe(7);
    expect(plan.targets.find((t) => t.operation === 'write')!.instances).toBe(19); // ceil(75/4)
  });

  it('never plans fewer instances than scalability.instances.min', () => {
    const plan = capacityPlan(linklyModel((spec) => { spec.requirements.nonFunctional.users.concurrent = 100; }));
    // 100 users x 2/min x 3 = 10 req/s: 0.036 Erlangs of reads and 0.015 of writes need one server each; min is 3.
    expect(plan.instancesAtLaunch).toBe(3);
    expect(plan.targets.every((t) => t.instances === 3)).toBe(true);
  });

  it('marks a target under the service-time floor infeasible and leaves those months without a fleet size', () => {
    const plan = capacityPlan(linklyModel((spec) => { spec.scalability.capacity.serviceTime.read = '20ms'; }));
    // p95 floor = 20 ms x ln 20 = 59.9 ms > 50 ms target; p99 floor = 20 x ln 100 = 92.1 ms < 120 ms is still feasible.
    const p95 = plan.targets.find((t) => t.operation === 'read' && t.percentile === 'p95')!;
    expect(p95.feasible).toBe(false);
    expect(p95.reason).toMatch(/59\.9 ms/);
    expect(p95.servers).toBeUndefined();
    expect(plan.targets.find((t) => t.operation === 'read' && t.percentile === 'p99')!.feasible).toBe(true);
    expect(plan.months.every((m) => m.instances === undefined)).toBe(true);
    // the launch fleet still counts the feasible p99: 4,500/s x 20 ms = 90 Erlangs needs at least 91 servers, plus 8 for writes.
    expect(plan.instancesAtLaunch).toBeGreaterThanOrEqual(99);
  });

  it('writes one request, one month and a peak equal to the average in the singular', () => {
    const plan = capacityPlan(linklyModel((spec) => {
      spec.requirements.nonFunctional.users = { concurrent: 1200000, growth: '10%/month', horizon: '1 month' };
      spec.requirements.nonFunctional.traffic.requestsPerUser = '1/min';
      spec.requirements.nonFunctional.traffic.peakFactor = 1;
      spec.scalability.capacity.serversPerInstance = 8;
    }));
    expect(plan.method[0]).toMatch(/^Concurrent users start at 1,200,000 and grow 10%\/month for 1 month\. Each makes 1 request a minute on average; the peak equals the average,/);
    expect(plan.method[1]).toMatch(/one instance serves 8 requests at a time/);
  });

  it('reports measured service times as measured', () => {
    const plan = capacityPlan(linklyModel((spec) => { spec.scalability.capacity.source = 'measured'; }));
    expect(plan.serviceTimeSource).toBe('measured');
    expect(plan.method.at(-1)).toMatch(/measured/);
  });
});
