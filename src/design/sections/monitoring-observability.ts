import type { Observability } from '../../model/system-model.ts';
import type { DesignReport, SloAlerting } from '../design-report.ts';
import { code, heading, joined, list, note, paragraph, strong, table, type Block, type Inline } from '../render/doc-tree.ts';
import { availability, decimal, duration, percent, words } from './format.ts';

const METRIC: Record<Observability['metrics'][number], string> = {
  'request-rate': 'requests per second by endpoint',
  'error-rate': 'share of requests failing, by endpoint and status',
  latency: 'response time percentiles by endpoint',
  saturation: 'CPU, memory and event-loop delay per instance',
  'db-pool': 'database connections in use and waiting',
  'cache-hit-ratio': 'share of reads served from the cache',
  'outbox-lag': 'age of the oldest event not yet delivered',
  'dead-letters': 'messages parked after repeated failures',
  'breaker-state': 'circuit breaker state per integration',
  'job-runs': 'scheduled job runs, durations and failures',
  'queue-depth': 'messages waiting per consumer',
  business: 'domain counters such as records created',
};

/**
 * "Monitoring and Observability": key metrics, logging strategy, alerting (the spec's alerts and
 * the SLO multiwindow, multi-burn-rate alerts derived for each SLO) and distributed tracing.
 */
export function monitoringObservability(report: DesignReport): Block[] {
  const o = report.model.observability;
  const t = o.tracing;
  const alertNames: Inline[][] = [
    ...o.alerts.map((a): Inline[] => [code(a.when), ` (${a.severity})`]),
    ...report.slo.map((s): Inline[] => [`${s.slo} burning its error budget too fast`]),
  ];
  const items: Inline[][] = [
    ['Key metrics to track: ', ...joined(o.metrics.map((m) => [strong(m), ` (${METRIC[m]})`]), '; '), '.'],
    [`Logging strategy for ${o.logs.purpose}: structured JSON lines with a trace id, ${o.logs.redact === 'none' ? 'nothing redacted' : `${o.logs.redact} fields redacted`}` +
      (o.logs.retentionMs === undefined ? ', kept as long as the platform keeps them.' : `, kept for ${duration(o.logs.retentionMs)}.`)],
    ['Alerting thresholds for ', ...joined(alertNames, '; '), '.'],
    t.tool === 'none'
      ? ['Distributed tracing: none (tracing.tool is none).']
      : ['Distributed tracing using ', strong(t.tool), ` (exporter ${t.exporter}, ${percent(t.sampling)} of requests sampled).`],
  ];
  const blocks: Block[] = [heading(2, 'Monitoring and Observability'), list(items)];
  if (o.alerts.length) {
    blocks.push(heading(3, 'Alerts'), table(['Alert', 'Condition', 'Severity'], o.alerts.map((a) => [[a.name], [code(a.when)], [a.severity]])));
  }
  blocks.push(...sloAlerts(report.slo));
  return blocks;
}

function sloAlerts(slos: SloAlerting[]): Block[] {
  if (!slos.length) return [];
  const blocks: Block[] = [
    heading(3, 'SLO burn-rate alerts'),
    paragraph('Each SLO gets multiwindow, multi-burn-rate alerts (Google SRE Workbook): an alert fires when the bad-event ratio over both the long and the short window exceeds burn rate × (1 − objective); the short window lets it reset soon after the burn stops.'),
  ];
  for (const s of slos) {
    const objective = s.kind === 'availability' ? availability(s.objective) : percent(s.objective);
    blocks.push(
      paragraph(strong(s.slo), `: objective ${objective} good events over ${decimal(s.windowDays)} days.`),
      table(['Severity', 'Long window>', 'Short window>', 'Burn rate>', 'Budget consumed>', 'Fires above>'], s.alerts.map((a) => [
        [a.severity], [a.longWindow], [a.shortWindow], [decimal(a.burnRate)], [percent(a.budgetConsumed)],
        [a.feasible ? percent(a.threshold) : `${percent(a.threshold)} (can never fire)`],
      ])),
    );
    const never = s.alerts.filter((a) => !a.feasible);
    if (never.length) blocks.push(note('warning', `${s.slo}: the ${words(never.map((a) => `${a.longWindow}/${a.shortWindow}`))} alert${never.length === 1 ? '' : 's'} would need more than 100% bad events, so ${never.length === 1 ? 'it' : 'they'} can never fire; the objective is too loose for this window.`));
  }
  return blocks;
}
