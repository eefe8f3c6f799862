import type { Integration, SystemModel } from '../../model/system-model.ts';
import type { DesignReport } from '../design-report.ts';
import { heading, list, note, paragraph, strong, table, type Block, type Inline } from '../render/doc-tree.ts';
import { availability, duration, percent, words } from './format.ts';

const RECOVERY: Record<SystemModel['resilience']['recovery'][number], string> = {
  retry: 'retries with jittered backoff for transient failures',
  'dead-letter': 'messages that keep failing parked in a dead-letter queue for inspection',
  'outbox-replay': 'events written to an outbox in the same transaction and replayed until delivered',
  failover: 'automatic failover to a standby',
  'point-in-time-restore': 'point-in-time restore of the database',
  'idempotent-replay': 'replaying requests safely thanks to idempotency keys',
  compensation: 'compensating actions that undo completed steps of a failed operation',
};

/**
 * "Resilience and Fault Tolerance": redundancy per critical component, failure detection,
 * recovery mechanisms and circuit breakers per integration, then the availability budget:
 * downtime allowed by the target, each flow's composite availability from its synchronous steps,
 * and the verdict.
 */
export function resilience(report: DesignReport): Block[] {
  const { model } = report;
  const r = model.resilience;
  const d = r.detection;
  const items: Inline[][] = [
    ...r.redundancy.map((x): Inline[] => ['Redundancy for ', strong(x.target), ` using ${x.approach} (${x.replicas} replica${x.replicas === 1 ? '' : 's'}).`]),
    [`Failure detection through ${words(d.probes)} probes every ${duration(d.intervalMs)}; an instance is taken out of service after ${d.failureThreshold} failed checks in a row (${duration(d.intervalMs * d.failureThreshold)}).`],
    [`Recovery mechanisms including ${words(r.recovery.map((m) => `${m} (${RECOVERY[m]})`))}.`],
    ...model.requirements.integrations.map(breakerItem),
  ];
  if (!r.redundancy.length) items.unshift(['Redundancy: none declared; every component runs as a single copy.']);
  return [heading(2, 'Resilience and Fault Tolerance'), list(items), ...availabilityBudget(report)];
}

function breakerItem(i: Integration): Inline[] {
  const extras = [
    i.timeoutMs === undefined ? 'no timeout' : `${duration(i.timeoutMs)} timeout`,
    `${i.retries} retr${i.retries === 1 ? 'y' : 'ies'}`,
    i.bulkhead ? `at most ${i.bulkhead} calls in flight` : '',
    i.fallback ? `fallback: ${i.fallback}` : '',
  ].filter(Boolean);
  if (!i.breaker) return ['Circuit breaking for ', strong(i.name), ` interactions: none; calls use ${words(extras)}.`];
  const b = i.breaker;
  return ['Circuit breaking for ', strong(i.name), ` interactions: the breaker opens when ${percent(b.failureRate)} of at least ${b.minimumCalls} calls fail within ${duration(b.windowMs)}, ` +
    `and lets a trial call through after ${duration(b.halfOpenAfterMs)}; ${words(extras)}.`];
}

function availabilityBudget(report: DesignReport): Block[] {
  const a = report.availability;
  const blocks: Block[] = [
    heading(3, 'Availability budget'),
    paragraph(`Downtime allowed by the ${availability(a.target)} target:`),
    table(['Target>', 'Per day>', 'Per week>', 'Per 30-day month>', 'Per 365-day year>'], [[
      [availability(a.allowance.availability)], [duration(a.allowance.perDayMs)], [duration(a.allowance.perWeekMs)],
      [duration(a.allowance.perMonthMs)], [duration(a.allowance.perYearMs)],
    ]]),
    paragraph('Composite availability of each flow: its synchronous steps in series, each step made redundant by its replicas (1 − (1 − a)^replicas); components are assumed to fail independently.'),
  ];
  for (const f of a.flows) {
    blocks.push(
      paragraph(strong(f.flow), `: ${availability(f.composite)}, ${f.meetsTarget ? 'meets' : 'misses'} the target` + (f.weakest ? `; weakest step ${f.weakest}.` : '.')),
      table(['Step', 'Kind', 'One instance>', 'Replicas>', 'Effective>'], f.steps.map((s) => [
        [s.target], [s.kind], [availability(s.availability) + (s.assumed ? ' (assumed)' : '')], [String(s.replicas)], [availability(s.effective)],
      ])),
    );
  }
  blocks.push(a.reachable ? paragraph(a.verdict) : note('caution', a.verdict));
  return blocks;
}
