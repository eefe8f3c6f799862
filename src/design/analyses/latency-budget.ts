import type { FlowStep, Integration, LatencyTarget, SystemModel, Flow } from '../../model/system-model.ts';
import type { LatencyBudget, LatencyBudgetStep } from '../design-report.ts';
import { formatNumber, plural } from './number-text.ts';

/**
 * Latency budgets: for each flow and each latency target of its operation type, the target is split
 * over the flow's synchronous steps. A step with an explicit budget (`latency:` on the step) keeps
 * it; the remainder is shared among the other steps in proportion to their typical latency
 * (component, integration or storage `latencyMs`; evenly when those are all 0).
 *
 * A budget is infeasible when the explicit budgets exceed the target, when the typical latencies of
 * the steps add up to more than the target, or when what the explicit budgets leave is less than
 * the typical latency of the other steps; `notes` say which. Integration steps carry their timeout
 * and worst case, timeout x (retries + 1) without backoff; the worst case gets a note only when the
 * integration retries (without retries it is just the timeout), and there is a note when the
 * timeout is longer than the step's budget (then the timeout cannot protect the target).
 *
 * @example
 * latencyBudgets(model).find((b) => b.flow === 'visit' && b.percentile === 'p95')!.steps.map((s) => s.budgetMs)
 * // [7.69, 38.46, 3.85]: 50 ms split 2 : 10 : 1 over gateway, links and cache
 */
export function latencyBudgets(model: SystemModel): LatencyBudget[] {
  return model.flows.flatMap((flow) =>
    (model.requirements.nonFunctional.latency[flow.operation] ?? []).map((target) => budgetFor(model, flow, target)),
  );
}

function budgetFor(model: SystemModel, flow: Flow, target: LatencyTarget): LatencyBudget {
  const sync = flow.steps.filter((s) => !s.async);
  const typical = sync.map((s) => typicalMs(model, s));
  const typicalTotalMs = sum(typical);
  const explicitMs = sum(sync.map((s) => s.budgetMs ?? 0));
  const shared = sync.filter((s) => s.budgetMs === undefined);
  const sharedTypicalMs = sum(sync.map((s, i) => (s.budgetMs === undefined ? typical[i]! : 0)));
  const remainderMs = Math.max(0, target.ms - explicitMs);
  const share = (typ: number) => (sharedTypicalMs > 0 ? (remainderMs * typ) / sharedTypicalMs : remainderMs / shared.length);

  const notes: string[] = [];
  const over = (what: string, ms: number) => notes.push(`${what} add up to ${fmt(ms)} ms, more than the ${target.label} target of ${fmt(target.ms)} ms`);
  if (explicitMs > target.ms) over('the explicit step budgets', explicitMs);
  if (typicalTotalMs > target.ms) over('the typical latencies of the synchronous steps', typicalTotalMs);
  else if (explicitMs <= target.ms && sharedTypicalMs > remainderMs) {
    notes.push(`the explicit budgets leave ${fmt(remainderMs)} ms for steps whose typical latencies add up to ${fmt(sharedTypicalMs)} ms`);
  }
  const feasible = notes.length === 0;
  if (sync.length === 0) notes.push('the flow has no synchronous steps, so the whole target is unallocated');

  const steps = sync.map((s, i): LatencyBudgetStep => {
    const typicalStep = typical[i]!;
    const budgetMs = s.budgetMs ?? share(typicalStep);
    if (s.budgetMs !== undefined && s.budgetMs < typicalStep) {
      notes.push(`${s.target}: its ${fmt(s.budgetMs)} ms budget is below its typical ${fmt(typicalStep)} ms`);
    }
    const base = { target: s.target, kind: s.targetKind, budgetMs, explicit: s.budgetMs !== undefined, typicalMs: typicalStep };
    const integration = s.targetKind === 'integration' ? model.requirements.integrations.find((x) => x.name === s.target) : undefined;
    return integration ? { ...base, ...integrationLimits(integration, budgetMs, target, notes) } : base;
  });
  return { flow: flow.name, operation: flow.operation, percentile: target.label, targetMs: target.ms, steps, typicalTotalMs, feasible, notes };
}

/** Timeout and worst case of an integration step, noting where they cannot protect the target. */
function integrationLimits(i: Integration, budgetMs: number, target: LatencyTarget, notes: string[]): Partial<LatencyBudgetStep> {
  if (i.timeoutMs === undefined) {
    notes.push(`${i.name}: no timeout, so one slow call can exceed the ${target.label} target without bound`);
    return {};
  }
  const attempts = i.retries + 1;
  const worstCaseMs = i.timeoutMs * attempts;
  if (i.retries > 0) {
    notes.push(`${i.name}: worst case ${fmt(worstCaseMs)} ms = ${fmt(i.timeoutMs)} ms timeout x ${plural(attempts, 'attempt')}, not counting the backoff between retries`);
  }
  if (i.timeoutMs > budgetMs) {
    notes.push(`${i.name}: its ${fmt(i.timeoutMs)} ms timeout is longer than its ${fmt(budgetMs)} ms budget, so the timeout cannot protect the ${target.label} target`);
  }
  return { timeoutMs: i.timeoutMs, worstCaseMs };
}

/** Typical latency of one call to a step's target, stated or assumed. */
function typicalMs(model: SystemModel, step: FlowStep): number {
  const { components, storage } = model.architecture;
  switch (step.targetKind) {
    case 'component':
      return components.find((c) => c.name === step.target)?.latencyMs.value ?? 0;
    case 'integration':
      return model.requirements.integrations.find((i) => i.name === step.target)?.latencyMs.value ?? 0;
    case 'database':
      return storage.primary.latencyMs.value;
    case 'cache':
      return storage.cache?.latencyMs.value ?? 0;
    case 'queue':
      return storage.queue?.latencyMs.value ?? 0;
  }
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Milliseconds to a tenth, with thousands separators: 38.4615 -> "38.5", 3000 -> "3,000". */
function fmt(ms: number): string {
  return formatNumber(ms, 1);
}
