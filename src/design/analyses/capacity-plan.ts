import type { LatencyTarget, SystemModel } from '../../model/system-model.ts';
import type { CapacityMonth, CapacityPlan, CapacityTargetResult } from '../design-report.ts';
import { serversForQuantile, type ServersForQuantile } from './erlang-c.ts';
import { projectMonthly } from './growth.ts';
import { inFlight } from './littles-law.ts';
import { formatNumber, plural } from './number-text.ts';

/** One latency target sized at one month's peak. */
interface Sized {
  op: string;
  target: LatencyTarget;
  serviceTimeMs: number;
  rate: number;
  result: ServersForQuantile;
}

/**
 * Capacity plan: concurrent users grow monthly over the horizon; average requests per second are
 * users x requests per user per second, the peak is the average x peak factor, split over operation
 * types by the request mix. Each latency target of each operation type is sized as an M/M/c queue
 * (Erlang C) at that operation's peak; an operation needs ceil(servers / serversPerInstance)
 * instances for its tightest target, and the fleet is the sum over operation types, at least
 * `scalability.instances.min`. Database connections in flight come from Little's law.
 *
 * A month's `instances` is undefined when any target is infeasible that month; `instancesAtLaunch`
 * and `instancesAtHorizon` count the feasible targets only, so they are always defined.
 *
 * @example
 * const plan = capacityPlan(model);
 * plan.instancesAtHorizon > model.scalability.instances.max === plan.exceedsMax // true
 */
export function capacityPlan(model: SystemModel): CapacityPlan {
  const { users, traffic, latency } = model.requirements.nonFunctional;
  const { capacity, instances, database } = model.scalability;
  const ops = [...new Set([...Object.keys(latency), ...Object.keys(traffic.mix)])];
  const perServer = capacity.serversPerInstance;
  const need = (s: Sized) => (s.result.feasible ? Math.ceil(s.result.servers / perServer) : 0);
  /** Sum over operation types of the instances the tightest feasible target needs, at least min. */
  const fleet = (sized: Sized[]) =>
    Math.max(instances.min, ops.reduce((sum, op) => sum + Math.max(0, ...sized.filter((s) => s.op === op).map(need)), 0));

  const sizedByMonth: Sized[][] = [];
  const months = projectMonthly(users.concurrent, users.monthlyGrowth, users.horizonMonths).map(({ month, value }): CapacityMonth => {
    const peakRps = value * traffic.requestsPerUserPerSecond.value * traffic.peakFactor.value;
    const rpsByOperation = Object.fromEntries(ops.map((op) => [op, peakRps * (traffic.mix[op] ?? 0)]));
    const sized = ops.flatMap((op) => sizeOperation(model, op, rpsByOperation[op]!));
    sizedByMonth.push(sized);
    const dbConnections = ops.reduce((sum, op) => sum + inFlight(rpsByOperation[op]!, capacity.dbTimeMs[op]?.value ?? 0), 0);
    const allFeasible = sized.every((s) => s.result.feasible);
    return { month, concurrentUsers: value, peakRps, rpsByOperation, instances: allFeasible ? fleet(sized) : undefined, dbConnections };
  });

  const horizon = months[months.length - 1]!;
  const atHorizon = sizedByMonth[sizedByMonth.length - 1]!;
  const instancesAtHorizon = fleet(atHorizon);
  return {
    months,
    targets: atHorizon.map((s) => targetResult(s, perServer, instances.min)),
    instancesAtLaunch: fleet(sizedByMonth[0]!),
    instancesAtHorizon,
    exceedsMax: instancesAtHorizon > instances.max,
    dbConnectionsAtHorizon: horizon.dbConnections,
    dbPoolCapacityAtHorizon: database.pool * instancesAtHorizon,
    serviceTimeSource: capacity.source,
    method: method(model),
  };
}

/** Sizes every latency target of one operation type at a given peak rate. */
function sizeOperation(model: SystemModel, op: string, rate: number): Sized[] {
  const serviceTime = model.scalability.capacity.serviceTimeMs[op];
  if (!serviceTime) return [];
  return (model.requirements.nonFunctional.latency[op] ?? []).map((target) => ({
    op,
    target,
    serviceTimeMs: serviceTime.value,
    rate,
    result: serversForQuantile({ arrivalRate: rate, serviceTimeMs: serviceTime.value, quantile: target.quantile, targetMs: target.ms }),
  }));
}

function targetResult(s: Sized, perServer: number, min: number): CapacityTargetResult {
  const base = { operation: s.op, percentile: s.target.label, targetMs: s.target.ms, serviceTimeMs: s.serviceTimeMs, arrivalRate: s.rate };
  if (!s.result.feasible) return { ...base, feasible: false, reason: s.result.reason };
  const { servers, achievedMs } = s.result;
  return { ...base, feasible: true, servers, instances: Math.max(min, Math.ceil(servers / perServer)), achievedMs };
}

function method(model: SystemModel): string[] {
  const { users, traffic } = model.requirements.nonFunctional;
  const { capacity, instances } = model.scalability;
  const mix = Object.entries(traffic.mix).map(([op, share]) => `${op} ${percent(share)}`).join(', ');
  const perMinute = traffic.requestsPerUserPerSecond.value * 60;
  const peak = traffic.peakFactor.value === 1 ? 'the peak equals the average' : `the peak is ${formatNumber(traffic.peakFactor.value, 6)} times the average`;
  const lines = [
    `Concurrent users start at ${formatNumber(users.concurrent, 6)} and grow ${users.growthText} for ${plural(users.horizonMonths, 'month')}. ` +
      `Each makes ${plural(perMinute, 'request')} a minute on average${traffic.requestsPerUserPerSecond.assumed ? ' (assumed)' : ''}; ` +
      `${peak}${traffic.peakFactor.assumed ? ' (assumed)' : ''}, ` +
      `split by the request mix (${mix}${traffic.mixAssumed ? ', assumed' : ''}).`,
    `Each operation type is sized as its own M/M/c queue: requests arrive at random (Poisson) at its peak rate, ` +
      `service times are exponentially distributed around the mean in scalability.capacity.serviceTime, and one instance ` +
      `serves ${plural(capacity.serversPerInstance, 'request')} at a time. ` +
      `The Erlang C formula gives the fewest servers whose response-time percentile meets each latency target.`,
    `Operation types share instances; the fleet is approximated as the sum over operation types of the instances each ` +
      `needs on its own, and never below scalability.instances.min (${formatNumber(instances.min)}). One shared pool needs somewhat ` +
      `fewer, so the figure errs on the safe side.`,
    `Database connections in flight follow Little's law: peak requests per second times the database time per request ` +
      `(scalability.capacity.dbTime), summed over operation types.`,
  ];
  lines.push(
    capacity.source === 'measured'
      ? 'The service times are measured (scalability.capacity.source: measured).'
      : 'The service times are assumed, not measured: measure the mean time one instance spends on a request of each ' +
          'operation type, then put the figures in scalability.capacity.serviceTime with source: measured.',
  );
  return lines;
}

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(6))}%`;
}
