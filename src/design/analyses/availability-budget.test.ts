import { describe, it, expect } from 'vitest';
import { availabilityBudget, percent } from './availability-budget.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';

describe('availabilityBudget on Linkly', () => {
  const budget = availabilityBudget(linklyModel());
  const flow = (name: string) => budget.flows.find((f) => f.flow === name)!;

  it('allows 21.6 minutes of downtime a month at 99.95%', () => {
    // 0.0005 x 30 days x 1,440 min = 21.6 min.
    expect(budget.allowance.perMonthMs / 60_000).toBeCloseTo(21.6, 9);
  });

  it('composes shorten from three redundant steps and a fail-open integration', () => {
    // gateway 99.99% x3 -> 1 - 1e-12; links 99.5% (assumed) x3 -> 1 - 1.25e-7; primary 99.95% x2 -> 1 - 2.5e-7;
    // safebrowsing has fallback: allow, so its outages do not fail the request: 1. Product = 0.999999625.
    const shorten = flow('shorten');
    expect(shorten.steps.map((s) => [s.target, s.replicas])).toEqual([['gateway', 3], ['links', 3], ['safebrowsing', 1], ['primary', 2]]);
    expect(shorten.steps[1]).toMatchObject({ availability: 0.995, assumed: true });
    expect(shorten.steps[1]!.effective).toBeCloseTo(1 - 1.25e-7, 14);
    expect(shorten.steps[2]).toMatchObject({ effective: 1, kind: 'integration, fails open (fallback: allow)' });
    expect(shorten.composite).toBeCloseTo(0.999999625, 10);
    expect(shorten.weakest).toBe('primary');
  });

  it('leaves the async queue step out of visit and finds the cache weakest', () => {
    // gateway 1 - 1e-12, links 1 - 1.25e-7, cache 99.9% (assumed) x2 -> 1 - 1e-6; product = 0.999998875.
    const visit = flow('visit');
    expect(visit.steps.map((s) => s.target)).toEqual(['gateway', 'links', 'cache']);
    expect(visit.composite).toBeCloseTo(0.999998875, 10);
    expect(visit.weakest).toBe('cache');
  });

  it('judges the target reachable and names the weakest flow', () => {
    expect(budget.reachable).toBe(true);
    expect(budget.verdict).toMatch(/reachable as designed.*visit, to 99\.999887%/);
    expect(budget.verdict).toMatch(/safebrowsing fails open/);
  });
});

describe('availabilityBudget variants', () => {
  it('counts a target once per flow', () => {
    const budget = availabilityBudget(linklyModel((spec) => { spec.flows.visit.steps.splice(2, 0, { to: 'links', does: 'log' }); }));
    expect(budget.flows[1]!.steps.map((s) => s.target)).toEqual(['gateway', 'links', 'cache']);
  });

  it('falls back to instances.min for scaled components and to 1 for the rest', () => {
    const budget = availabilityBudget(linklyModel((spec) => {
      delete spec.resilience.redundancy.links;
      spec.scalability.instances.min = 2;
    }));
    expect(budget.flows[0]!.steps[1]).toMatchObject({ target: 'links', replicas: 2 });
    const single = availabilityBudget(linklyModel((spec) => {
      delete spec.resilience.redundancy.links;
      spec.scalability.horizontal.components = ['gateway'];
    }));
    expect(single.flows[0]!.steps[1]).toMatchObject({ target: 'links', replicas: 1, effective: 0.995 });
  });

  it('counts an integration without a serving fallback in series and says which step to fix', () => {
    const budget = availabilityBudget(linklyModel((spec) => { spec.requirements.integrations.safebrowsing.fallback = 'error'; }));
    // 0.999 x (1 - 1e-12)(1 - 1.25e-7)(1 - 2.5e-7) = 0.99899963, below 0.9995.
    const shorten = budget.flows[0]!;
    expect(shorten.composite).toBeCloseTo(0.99899963, 8);
    expect(shorten).toMatchObject({ meetsTarget: false, weakest: 'safebrowsing' });
    expect(budget.reachable).toBe(false);
    expect(budget.verdict).toBe(
      'The 99.95% availability target is not reachable as designed. shorten composes to 99.9%; its weakest step is ' +
        'safebrowsing (99.9% per instance, 1 replica): give it a fallback or choose a more available provider.',
    );
  });

  it('has nothing to compose without flows', () => {
    const budget = availabilityBudget(linklyModel((spec) => {
      spec.flows = {};
      delete spec.requirements.functional.FR1.flows;
      delete spec.requirements.functional.FR2.flows;
    }));
    expect(budget.flows).toEqual([]);
    expect(budget.reachable).toBe(true);
    expect(budget.verdict).toMatch(/nothing to compose/);
  });
});

describe('percent', () => {
  it('shows enough decimals to see the nines', () => {
    expect(percent(0.9995)).toBe('99.95%');
    expect(percent(0.999)).toBe('99.9%');
    expect(percent(0.99999963)).toBe('99.999963%');
    expect(percent(1)).toBe('100%');
  });

  it('adds decimals until a figure reads differently from the target it misses', () => {
    // Figures keep the decimals that set them apart from the target they are compared with.
    expect(percent(0.999999)).toBe('99.9999%');
    expect(percent(0.999999, 0.9999995)).toBe('99.9999%');
    expect(percent(0.9999991, 0.9999995)).toBe('99.99991%');
    expect(percent(0.999899, 0.9999)).toBe('99.9899%');
    expect(percent(0.9999, 0.9999)).toBe('99.99%');
  });
});
