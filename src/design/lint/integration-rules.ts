import type { LatencyBudget } from '../design-report.ts';
import { defineRule, type LintRule } from './lint-rule.ts';

/** An integration with no timeout: a hung provider holds a request (and its resources) indefinitely. */
export const integrationWithoutTimeout = defineRule({
  id: 'integration-without-timeout',
  severity: 'warning',
  title: 'An integration has no timeout',
}, ({ model }, report) => {
  for (const i of model.requirements.integrations.filter((x) => x.timeoutMs === undefined)) {
    report(i, `calls to ${i.name} have no timeout: when it hangs, every request waiting on it hangs too`, `Add timeout: (e.g. 300ms) to requirements.integrations.${i.name}.`);
  }
});

/** An integration with no circuit breaker keeps sending calls to a provider that is down. */
export const integrationWithoutBreaker = defineRule({
  id: 'integration-without-breaker',
  severity: 'warning',
  title: 'An integration has no circuit breaker',
}, ({ model }, report) => {
  for (const i of model.requirements.integrations.filter((x) => !x.breaker)) {
    report(
      i,
      `${i.name} has no circuit breaker: while it is down, every request still waits for its timeout${i.retries ? ' and retries' : ''}`,
      `Add breaker: { failureRate: 50%, window: 30s, halfOpenAfter: 10s } to requirements.integrations.${i.name}.`,
    );
  }
});

/** Retrying a call that is not idempotent can repeat its side effect (a double charge, a duplicate message). */
export const retryWithoutIdempotency = defineRule({
  id: 'retry-without-idempotency',
  severity: 'error',
  title: 'An integration retries calls that are not idempotent',
}, ({ model }, report) => {
  for (const i of model.requirements.integrations.filter((x) => x.retries > 0 && !x.idempotent)) {
    report(
      i,
      `${i.name} retries ${i.retries} ${i.retries === 1 ? 'time' : 'times'} although its calls are not idempotent: a call that timed out after ` +
        'taking effect is repeated',
      `Set retry: 0 on requirements.integrations.${i.name}, or make the calls idempotent (an idempotency key) and set idempotent: true.`,
    );
  }
});

/**
 * An integration step whose timeout is longer than its latency budget, so the timeout cannot keep
 * the flow within its target. One finding per step, quoting its tightest budget.
 */
export const timeoutExceedsBudget = defineRule({
  id: 'timeout-exceeds-budget',
  severity: 'warning',
  title: "An integration's timeout is longer than its step's latency budget",
}, ({ model, latency }, report) => {
  const tightest = new Map<string, { budget: LatencyBudget; index: number }>();
  for (const budget of latency) {
    budget.steps.forEach((s, index) => {
      if (s.timeoutMs === undefined || s.timeoutMs <= s.budgetMs) return;
      const key = `${budget.flow}#${index}`;
      const seen = tightest.get(key);
      if (!seen || s.budgetMs < seen.budget.steps[index]!.budgetMs) tightest.set(key, { budget, index });
    });
  }
  for (const { budget, index } of tightest.values()) {
    const s = budget.steps[index]!;
    const step = model.flows.find((f) => f.name === budget.flow)!.steps.filter((x) => !x.async)[index]!;
    report(
      step,
      `${s.target}'s ${ms(s.timeoutMs!)} timeout is longer than its ${ms(s.budgetMs)} budget in ${budget.flow} ` +
        `(${budget.operation} ${budget.percentile} ${ms(budget.targetMs)})` +
        (s.worstCaseMs! > s.timeoutMs! ? `; with retries a slow call takes up to ${ms(s.worstCaseMs!)}` : ''),
      `Lower requirements.integrations.${s.target}.timeout to ${ms(s.budgetMs)} or less` +
        (s.explicit ? ', or raise the latency budget of this step.' : ', or give this step a larger latency: budget.'),
    );
  }
});

function ms(value: number): string {
  return `${Number(value.toFixed(1))} ms`;
}

/** Integration rules, in the order the docs list them. */
export const INTEGRATION_RULES: readonly LintRule[] = [integrationWithoutTimeout, integrationWithoutBreaker, retryWithoutIdempotency, timeoutExceedsBudget];
