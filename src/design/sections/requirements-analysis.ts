import type { DataRule, Integration } from '../../model/system-model.ts';
import type { DesignReport } from '../design-report.ts';
import { code, codes, heading, joined, list, note, paragraph, strong, table, type Block, type Inline } from '../render/doc-tree.ts';
import { availability, count, duration, endpointPath, figure, percent, plural, rps, words } from './format.ts';

type RuleOf<K extends DataRule['rule']> = Extract<DataRule, { rule: K }>;

/** How each data rule reads after "Data must be ...". */
const DATA_RULE: { [K in DataRule['rule']]: (r: RuleOf<K>) => Inline[] } = {
  'encrypted-at-rest': (r) => ['encrypted at rest: ', ...codes(r.fields)],
  retention: (r) => [`kept no longer than ${duration(r.keepMs)} for `, strong(r.entity), ' records, then deleted'],
  audit: (r) => ['audited on every write (who changed what, when): ', ...codes(r.entities)],
  immutable: (r) => ['never updated once written: ', ...codes(r.entities)],
  residency: (r) => [`stored and processed only in the ${r.region} region`],
  backup: (r) => [`backed up so that at most ${duration(r.rpoMs)} of writes can be lost (RPO) and service is restored within ${duration(r.rtoMs)} (RTO)`],
  erasable: (r) => ['exportable and erasable on request, starting from the data subject ', strong(r.entity)],
};

/**
 * "Requirements Analysis": functional requirements with their traceability to endpoints, flows
 * and jobs (unsatisfied ones called out), integrations, data rules, and the non-functional
 * requirements (scale and growth, latency targets per operation type, availability, compliance,
 * integrity).
 */
export function requirementsAnalysis(report: DesignReport): Block[] {
  const { model } = report;
  const fr = model.requirements.functional;
  const unsatisfied = report.traceability.filter((t) => !t.satisfied);
  const blocks: Block[] = [
    heading(2, 'Requirements Analysis'),
    heading(3, 'Functional Requirements'),
    paragraph(`The system must support ${plural(fr.length, 'functional requirement')}. Users should be able to:`),
    list(fr.map((r) => [strong(r.id), `: ${r.text}`])),
    paragraph('Traceability: what satisfies each requirement.'),
    table(['Requirement', 'Endpoints', 'Flows', 'Jobs', 'Satisfied'], report.traceability.map((t) => [
      [strong(t.id), ` ${t.text}`],
      codes(t.endpoints.map((e) => endpointPath(model, e))),
      codes(t.flows),
      codes(t.jobs),
      [t.satisfied ? 'yes' : 'no'],
    ])),
  ];
  if (unsatisfied.length) {
    blocks.push(note('caution', `Not satisfied by any endpoint, flow or job: ${words(unsatisfied.map((t) => `${t.id} (${t.text})`))}. Link each to what implements it with by:, flows: or jobs:.`));
  }
  blocks.push(...integrations(model.requirements.integrations));
  const rules = model.requirements.data;
  if (rules.length) blocks.push(paragraph('Data must be:'), list(rules.map((r) => (DATA_RULE[r.rule] as (r: DataRule) => Inline[])(r))));
  else blocks.push(paragraph('Data must be kept as written: the spec states no data rules.'));
  blocks.push(...nonFunctional(report));
  return blocks;
}

function integrations(all: readonly Integration[]): Block[] {
  if (all.length === 0) return [paragraph('The platform needs no external integrations.')];
  return [
    paragraph('The platform needs to integrate with ', ...joined(all.map((i) => [strong(i.name), ` (to ${i.purpose})`]), ', ', ' and '), ':'),
    table(['Integration', 'URL', 'Timeout>', 'Retries>', 'Circuit breaker', 'Fallback', 'Availability>', 'Latency>'], all.map((i) => [
      [strong(i.name)],
      [code(i.url)],
      [i.timeoutMs === undefined ? 'none' : duration(i.timeoutMs)],
      [String(i.retries)],
      [i.breaker ? `opens at ${percent(i.breaker.failureRate)} failures in ${duration(i.breaker.windowMs)}` : 'none'],
      [i.fallback ?? 'none'],
      [figure(i.availability, availability)],
      [figure(i.latencyMs, duration)],
    ])),
  ];
}

function nonFunctional(report: DesignReport): Block[] {
  const nf = report.model.requirements.nonFunctional;
  const horizon = report.capacity.months.at(-1);
  const traffic = nf.traffic;
  const mix = Object.entries(traffic.mix).map(([op, share]) => `${op} ${percent(share)}`);
  const items: Inline[][] = [
    [strong('Scalability'), `: support for ${count(nf.users.concurrent)} concurrent users with ${nf.users.growthText} growth` +
      (horizon ? `, ${count(horizon.concurrentUsers)} by month ${horizon.month}.` : '.')],
    [strong('Traffic'), `: ${figure(traffic.requestsPerUserPerSecond, (v) => `${rps(v * 60)} request${v * 60 === 1 ? '' : 's'} a minute`)} per active user; ` +
      `the peak is ${figure(traffic.peakFactor, (v) => `${v} times`)} the average; mix ${words(mix)}${traffic.mixAssumed ? ' (assumed)' : ''}.`],
    ...Object.entries(nf.latency).map(([op, targets]): Inline[] => [
      strong('Performance'), `: response time under ${words(targets.map((t) => `${duration(t.ms)} (${t.label})`))} for ${op} operations.`,
    ]),
    [strong('Availability'), `: ${availability(nf.availability)} uptime over ${duration(nf.sloWindowMs)} with minimal planned downtime (at most ${duration(report.availability.allowance.perMonthMs)} down per 30-day month).`],
    [strong('Security'), nf.compliance.length ? `: compliance with ${words(nf.compliance)}.` : ': no compliance standard is required.'],
    // Integrity statements may hold commas of their own, so they are joined with semicolons.
    [strong('Data integrity'), `: ensure ${nf.integrity.join('; ')}.`],
  ];
  return [heading(3, 'Non-Functional Requirements'), list(items)];
}

