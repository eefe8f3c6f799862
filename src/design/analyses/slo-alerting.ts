import type { SystemModel } from '../../model/system-model.ts';
import type { SloAlerting } from '../design-report.ts';
import { burnRateAlerts } from './burn-rate.ts';
import { percent } from './availability-budget.ts';
import { formatNumber } from './number-text.ts';

const DAY_MS = 86_400_000;

/**
 * Multiwindow burn-rate alerts for every SLO the spec implies: one for the availability target
 * (good events: successful requests) and one per latency target, whose objective is its quantile
 * (a p95 of 50 ms for reads means 95% of read requests finish under 50 ms; a slow request spends
 * the budget). The window is `sloWindowMs` in days; each row's threshold is burnRate x (1 - objective)
 * and a row whose threshold exceeds 1 is kept with `feasible: false`.
 *
 * @example
 * sloAlerting(model)[0] // { slo: 'availability 99.95%', objective: 0.9995, windowDays: 30, alerts: [3 rows] }
 */
export function sloAlerting(model: SystemModel): SloAlerting[] {
  const { availability, latency, sloWindowMs } = model.requirements.nonFunctional;
  const windowDays = sloWindowMs / DAY_MS;
  const rows = (objective: number) =>
    burnRateAlerts(objective, windowDays).map((a) => ({
      severity: a.severity,
      longWindow: a.longWindow,
      shortWindow: a.shortWindow,
      burnRate: a.burnRate,
      budgetConsumed: a.budgetConsumed,
      threshold: a.errorRateThreshold,
      feasible: a.feasible,
    }));
  const latencySlos = Object.entries(latency).flatMap(([op, targets]) =>
    targets.map((t): SloAlerting => ({
      slo: `${op} ${t.label} under ${formatNumber(t.ms, 3)} ms (${percent(t.quantile)} of ${op} requests)`,
      kind: 'latency',
      objective: t.quantile,
      windowDays,
      alerts: rows(t.quantile),
    })),
  );
  return [{ slo: `availability ${percent(availability)}`, kind: 'availability', objective: availability, windowDays, alerts: rows(availability) }, ...latencySlos];
}
