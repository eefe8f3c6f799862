import { describe, it, expect } from 'vitest';
import { latencyBudgets } from './latency-budget.ts';
import { linklyModel, type SpecObject } from '../test-support/linkly-fixture.ts';

const budgetsOf = (mutate?: (spec: SpecObject) => void) => latencyBudgets(linklyModel(mutate));
const find = (list: ReturnType<typeof latencyBudgets>, flow: string, percentile: string) =>
  list.find((b) => b.flow === flow && b.percentile === percentile)!;

describe('latencyBudgets on Linkly', () => {
  const budgets = budgetsOf();

  it('makes one budget per flow and latency target of its operation', () => {
    expect(budgets.map((b) => `${b.flow} ${b.operation} ${b.percentile} ${b.targetMs}`)).toEqual([
      'shorten write p95 200', 'shorten write p99 400', 'visit read p95 50', 'visit read p99 120',
    ]);
  });

  it('splits the visit p95 of 50 ms 2 : 10 : 1 over gateway, links and cache, skipping the async queue', () => {
    // typical latencies (assumed): gateway 2, links 10, cache 1 = 13 ms; 50 x 2/13 = 7.69, 50 x 10/13 = 38.46, 50/13 = 3.85.
    const visit = find(budgets, 'visit', 'p95');
    expect(visit.typicalTotalMs).toBe(13);
    expect(visit.steps.map((s) => s.target)).toEqual(['gateway', 'links', 'cache']);
    expect(visit.steps.map((s) => s.budgetMs)).toEqual([expect.closeTo(7.69, 2), expect.closeTo(38.46, 2), expect.closeTo(3.85, 2)]);
    expect(visit).toMatchObject({ feasible: true, notes: [] });
  });

  it('keeps the explicit 60 ms for safebrowsing and shares the rest of the shorten p95', () => {
    // 200 - 60 = 140 ms over gateway 2, links 10, primary 5 (17 ms): 16.47, 82.35, 41.18.
    const shorten = find(budgets, 'shorten', 'p95');
    expect(shorten.typicalTotalMs).toBe(57); // 2 + 10 + 40 + 5
    expect(shorten.steps.map((s) => [s.target, s.explicit])).toEqual([['gateway', false], ['links', false], ['safebrowsing', true], ['primary', false]]);
    expect(shorten.steps.map((s) => s.budgetMs)).toEqual([
      expect.closeTo(16.47, 2), expect.closeTo(82.35, 2), 60, expect.closeTo(41.18, 2),
    ]);
    expect(shorten.feasible).toBe(true);
  });

  it('gives the safebrowsing step a 900 ms worst case and warns that its 300 ms timeout exceeds its budget', () => {
    // 300 ms timeout x (2 retries + 1) = 900 ms, backoff not counted; 300 > 60, so the timeout cannot protect p95.
    const shorten = find(budgets, 'shorten', 'p95');
    expect(shorten.steps[2]).toMatchObject({ timeoutMs: 300, worstCaseMs: 900 });
    expect(shorten.notes).toEqual([
      'safebrowsing: worst case 900 ms = 300 ms timeout x 3 attempts, not counting the backoff between retries',
      'safebrowsing: its 300 ms timeout is longer than its 60 ms budget, so the timeout cannot protect the p95 target',
    ]);
  });
});

describe('latencyBudgets infeasibility', () => {
  it('is infeasible when explicit budgets exceed the target', () => {
    const budgets = budgetsOf((spec) => { spec.flows.shorten.steps[2].latency = '250ms'; });
    const p95 = find(budgets, 'shorten', 'p95');
    expect(p95.feasible).toBe(false);
    expect(p95.notes[0]).toBe('the explicit step budgets add up to 250 ms, more than the p95 target of 200 ms');
    expect(p95.steps.filter((s) => !s.explicit).every((s) => s.budgetMs === 0)).toBe(true);
    // p99: 400 - 250 = 150 ms left for 17 ms of typical latency.
    expect(find(budgets, 'shorten', 'p99').feasible).toBe(true);
  });

  it('is infeasible when the typical latencies exceed the target', () => {
    const p95 = find(budgetsOf((spec) => { spec.architecture.components.links.latency = '60ms'; }), 'visit', 'p95');
    // 2 + 60 + 1 = 63 ms > 50 ms.
    expect(p95).toMatchObject({ typicalTotalMs: 63, feasible: false });
    expect(p95.notes).toEqual(['the typical latencies of the synchronous steps add up to 63 ms, more than the p95 target of 50 ms']);
  });

  it('is infeasible when explicit budgets leave less than the other steps typically take', () => {
    const p95 = find(budgetsOf((spec) => { spec.flows.shorten.steps[2].latency = '190ms'; }), 'shorten', 'p95');
    // 200 - 190 = 10 ms left for gateway + links + primary = 17 ms.
    expect(p95.feasible).toBe(false);
    expect(p95.notes[0]).toBe('the explicit budgets leave 10 ms for steps whose typical latencies add up to 17 ms');
  });
});

describe('latencyBudgets integration steps', () => {
  it('notes a missing timeout and gives no worst case', () => {
    const p95 = find(budgetsOf((spec) => { delete spec.requirements.integrations.safebrowsing.timeout; }), 'shorten', 'p95');
    expect(p95.steps[2]!.worstCaseMs).toBeUndefined();
    expect(p95.notes).toEqual(['safebrowsing: no timeout, so one slow call can exceed the p95 target without bound']);
  });

  it('does not warn when the timeout fits the budget', () => {
    const p95 = find(budgetsOf((spec) => { spec.requirements.integrations.safebrowsing.timeout = '50ms'; }), 'shorten', 'p95');
    // 50 ms x 3 attempts = 150 ms.
    expect(p95.steps[2]).toMatchObject({ timeoutMs: 50, worstCaseMs: 150 });
    expect(p95.notes).toEqual(['safebrowsing: worst case 150 ms = 50 ms timeout x 3 attempts, not counting the backoff between retries']);
  });

  it('gives no worst-case note when the integration does not retry, but keeps the figures', () => {
    const p95 = find(budgetsOf((spec) => { spec.requirements.integrations.safebrowsing.retry = 0; spec.requirements.integrations.safebrowsing.timeout = '50ms'; }), 'shorten', 'p95');
    // one attempt: the worst case is the 50 ms timeout itself, which fits the 60 ms budget, so nothing to say.
    expect(p95.steps[2]).toMatchObject({ timeoutMs: 50, worstCaseMs: 50 });
    expect(p95.notes).toEqual([]);
  });

  it('still warns about a timeout longer than the budget when the integration does not retry', () => {
    const p95 = find(budgetsOf((spec) => { spec.requirements.integrations.safebrowsing.retry = 0; }), 'shorten', 'p95');
    expect(p95.notes).toEqual(['safebrowsing: its 300 ms timeout is longer than its 60 ms budget, so the timeout cannot protect the p95 target']);
  });

  it('writes long durations with thousands separators', () => {
    const p95 = find(budgetsOf((spec) => { spec.requirements.integrations.safebrowsing.timeout = '1500ms'; spec.requirements.integrations.safebrowsing.retry = 1; }), 'shorten', 'p95');
    expect(p95.notes).toEqual([
      'safebrowsing: worst case 3,000 ms = 1,500 ms timeout x 2 attempts, not counting the backoff between retries',
      'safebrowsing: its 1,500 ms timeout is longer than its 60 ms budget, so the timeout cannot protect the p95 target',
    ]);
  });

  it('notes an explicit budget below the step typical latency', () => {
    const p95 = find(budgetsOf((spec) => { spec.flows.shorten.steps[2].latency = '30ms'; }), 'shorten', 'p95');
    expect(p95.notes).toContain('safebrowsing: its 30 ms budget is below its typical 40 ms');
  });

  it('splits evenly when the steps sharing the remainder have no typical latency', () => {
    const budgets = budgetsOf((spec) => {
      spec.architecture.components.gateway.latency = '0ms';
      spec.architecture.components.links.latency = '0ms';
      spec.flows.visit.steps = ['gateway', 'links'];
    });
    expect(find(budgets, 'visit', 'p95').steps.map((s) => s.budgetMs)).toEqual([25, 25]);
  });
});
