import { defineRule, placeUnder, type LintRule } from './lint-rule.ts';

/** A latency budget that cannot be met (from the latency budgets). */
export const latencyInfeasible = defineRule({
  id: 'latency-infeasible',
  severity: 'error',
  title: "A flow's steps cannot fit its latency target",
}, ({ model, latency }, report) => {
  for (const b of latency.filter((x) => !x.feasible)) {
    report(model.flows.find((f) => f.name === b.flow)!, `${b.flow} cannot meet its ${b.operation} ${b.percentile} target of ${b.targetMs} ms: ${b.notes[0]}`,
      `Raise requirements.nonFunctional.latency.${b.operation}.${b.percentile}, remove steps from flows.${b.flow}, or lower the step budgets and latencies.`);
  }
});

/** A latency target no number of instances meets at the horizon's peak (from the capacity plan). */
export const capacityInfeasible = defineRule({
  id: 'capacity-infeasible',
  severity: 'error',
  title: 'A latency target cannot be met by any number of instances',
}, ({ model, capacity }, report) => {
  for (const t of capacity.targets.filter((x) => !x.feasible)) {
    report(placeUnder(model.scalability, 'capacity', 'serviceTime', t.operation), `the ${t.operation} ${t.percentile} target of ${t.targetMs} ms cannot be met: ${t.reason}`,
      `Lower the ${t.operation} service time (scalability.capacity.serviceTime.${t.operation}) or raise requirements.nonFunctional.latency.${t.operation}.${t.percentile}.`);
  }
});

/** The horizon needs more instances than scalability.instances.max allows. */
export const capacityExceedsMax = defineRule({
  id: 'capacity-exceeds-max',
  severity: 'warning',
  title: 'The capacity plan needs more instances than scalability.instances.max',
}, ({ model, capacity }, report) => {
  if (!capacity.exceedsMax) return;
  const { max } = model.scalability.instances;
  const first = capacity.months.find((m) => m.instances !== undefined && m.instances > max);
  const horizon = capacity.months[capacity.months.length - 1]!;
  report(
    placeUnder(model.scalability, 'instances', 'max'),
    `month ${horizon.month} needs ${capacity.instancesAtHorizon} instances at peak but scalability.instances.max is ${max}` +
      (first ? `; the plan outgrows it in month ${first.month} (${first.instances} instances)` : ''),
    'Raise scalability.instances.max, serve more requests per instance (scalability.capacity.serversPerInstance), or shorten the service times.',
  );
});

/** Performance rules, in the order the docs list them. */
export const PERFORMANCE_RULES: readonly LintRule[] = [latencyInfeasible, capacityInfeasible, capacityExceedsMax];
