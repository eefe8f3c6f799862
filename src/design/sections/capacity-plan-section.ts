import type { Figure, SystemModel } from '../../model/system-model.ts';
import type { CapacityMonth, CapacityPlan, DesignReport } from '../design-report.ts';
import { heading, note, paragraph, strong, table, type Block, type Inline } from '../render/doc-tree.ts';
import { count, decimal, duration, latency, percent, rps, words } from './format.ts';

/**
 * The capacity plan under "Scalability Approach": how it is computed, which inputs are assumed,
 * a month-by-month table (a readable subset of months, always the first and the last), the
 * Erlang C result for each latency target at the horizon (with the reason when a target cannot be
 * met), and database connections by Little's law against the pool.
 */
export function capacityPlanSection(report: DesignReport): Block[] {
  const plan = report.capacity;
  const ops = Object.keys(plan.months[0]?.rpsByOperation ?? {});
  const blocks: Block[] = [heading(3, 'Capacity plan'), ...plan.method.map((m) => paragraph(m))];
  const assumed = assumedInputs(report.model, plan);
  if (assumed.length) blocks.push(note('warning', `Assumed inputs (replace them with measurements): ${words(assumed)}.`));

  blocks.push(
    paragraph(`Month by month at the daily peak (${monthsShown(plan.months).length} of ${plan.months.length} months shown):`),
    table(['Month>', 'Concurrent users>', 'Peak rps>', ...ops.map((op) => `${op} rps>`), 'Instances>', 'DB connections>'],
      monthsShown(plan.months).map((m) => [
        [String(m.month)], [count(m.concurrentUsers)], [rps(m.peakRps)], ...ops.map((op) => [rps(m.rpsByOperation[op] ?? 0)]),
        [m.instances === undefined ? 'infeasible' : count(m.instances)], [decimal(m.dbConnections, 1)],
      ])),
    paragraph(`Each latency target at the horizon's peak (month ${plan.months.at(-1)?.month ?? 0}), sized with Erlang C:`),
    table(['Target', 'Service time>', 'Arrival rate>', 'Servers>', 'Instances>', 'Achieved>', 'Result'], plan.targets.map((t) => [
      [strong(`${t.operation} ${t.percentile}`), ` under ${duration(t.targetMs)}`],
      [duration(t.serviceTimeMs)],
      [`${rps(t.arrivalRate)} rps`],
      [t.servers === undefined ? '' : count(t.servers)],
      [t.instances === undefined ? '' : count(t.instances)],
      [t.achievedMs === undefined ? '' : latency(t.achievedMs)],
      [t.feasible ? 'meets the target' : `infeasible: ${t.reason ?? 'no number of servers meets the target'}`],
    ])),
    ...verdicts(report.model, plan),
  );
  return blocks;
}

/** Every few months (step 1, 2, 3, 6 or 12, at most about 9 rows), always including the last. */
export function monthsShown(months: CapacityMonth[]): CapacityMonth[] {
  const horizon = months.at(-1)?.month ?? 0;
  const step = [1, 2, 3, 6, 12].find((s) => horizon / s <= 8) ?? Math.ceil(horizon / 8);
  return months.filter((m) => m.month % step === 0 || m.month === horizon);
}

function assumedInputs(model: SystemModel, plan: CapacityPlan): string[] {
  const t = model.requirements.nonFunctional.traffic;
  const c = model.scalability.capacity;
  const figures = (what: string, byOp: Record<string, Figure>, all: boolean) =>
    Object.entries(byOp).filter(([, f]) => all || f.assumed).map(([op, f]) => `${what} of ${op} requests ${duration(f.value)}`);
  return [
    t.requestsPerUserPerSecond.assumed ? `${rps(t.requestsPerUserPerSecond.value * 60)} requests a minute per user` : '',
    t.peakFactor.assumed ? `peak factor ${t.peakFactor.value}` : '',
    t.mixAssumed ? `request mix ${words(Object.entries(t.mix).map(([op, s]) => `${op} ${percent(s)}`))}` : '',
    // Stated service times still count as assumptions until the spec says they were measured.
    ...figures('service time', c.serviceTimeMs, plan.serviceTimeSource === 'assumed'),
    ...figures('database time', c.dbTimeMs, false),
  ].filter(Boolean);
}

function verdicts(model: SystemModel, plan: CapacityPlan): Block[] {
  const { min, max } = model.scalability.instances;
  const horizon = plan.months.at(-1)?.month ?? 0;
  const instances: Inline[] = [
    'Instances: ', strong(count(plan.instancesAtLaunch)), ' at launch and ', strong(count(plan.instancesAtHorizon)),
    ` at month ${horizon}, against the configured range of ${min} to ${max}.`,
  ];
  const pool = model.scalability.database.pool;
  const fits = plan.dbConnectionsAtHorizon <= plan.dbPoolCapacityAtHorizon;
  const db: Inline[] = [
    `Database connections (Little's law): ${decimal(plan.dbConnectionsAtHorizon, 1)} in flight at month ${horizon}'s peak, against a pool capacity of `,
    strong(count(plan.dbPoolCapacityAtHorizon)), ` (${pool} per instance × ${count(plan.instancesAtHorizon)} instances): `,
    fits ? 'the pool is large enough.' : 'the pool is too small.',
  ];
  const blocks: Block[] = [paragraph(...instances), paragraph(...db)];
  if (plan.exceedsMax) blocks.push(note('caution', `The plan needs ${count(plan.instancesAtHorizon)} instances by month ${horizon}, more than scalability.instances.max (${max}).`));
  if (!fits) blocks.push(note('caution', 'Peak database connections exceed the pool: raise scalability.database.pool or shorten database time per request.'));
  return blocks;
}
