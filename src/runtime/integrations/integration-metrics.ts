import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { reuseMetric } from '../observability/storage-metrics.ts';

/**
 * Prometheus metrics of integration calls, registered in the server's registry (GET /metrics).
 */

/**
 * Outcome label of `archspec_integration_calls_total`: one sample per attempt (`success`, `failure`,
 * `timeout`, `rejected` by the bulkhead, `short_circuited` by an open breaker, `refused` by the SSRF
 * guard) and one `fallback` per call answered by its fallback (`allow`'s null or a `cached` answer).
 */
export type CallOutcome = 'success' | 'failure' | 'timeout' | 'rejected' | 'short_circuited' | 'refused' | 'fallback';

/** A breaker's state as a gauge value: 0 closed, 1 half-open, 2 open. */
export const BREAKER_GAUGE_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Boundaries of the attempt duration histogram, seconds: integrations are remote, so up to typical timeouts. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Where integration clients report. */
export interface IntegrationMetrics {
  count(integration: string, outcome: CallOutcome): void;
  /** Time of one attempt that sent a request (success, failure or timeout), seconds. */
  observeDuration(integration: string, seconds: number): void;
  breakerState(integration: string, state: keyof typeof BREAKER_GAUGE_VALUES): void;
}

/**
 * Registers (or reuses) in `registry`: `archspec_integration_calls_total{integration,outcome}`,
 * `archspec_integration_call_duration_seconds{integration}` and
 * `archspec_integration_breaker_state{integration}` (only integrations with a breaker have a series).
 *
 * @example
 * const metrics = integrationMetrics(registry);
 * metrics.count('geoip', 'timeout');
 */
export function integrationMetrics(registry: Registry): IntegrationMetrics {
  const calls = reuseMetric(registry, 'archspec_integration_calls_total', () => new Counter({
    name: 'archspec_integration_calls_total',
    help: 'Integration call attempts by outcome (success, failure, timeout, rejected, short_circuited, refused), plus calls answered by their fallback (fallback).',
    labelNames: ['integration', 'outcome'] as const,
    registers: [registry],
  }));
  const duration = reuseMetric(registry, 'archspec_integration_call_duration_seconds', () => new Histogram({
    name: 'archspec_integration_call_duration_seconds',
    help: 'Time of one integration call attempt that sent a request, in seconds.',
    labelNames: ['integration'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  }));
  const breaker = reuseMetric(registry, 'archspec_integration_breaker_state', () => new Gauge({
    name: 'archspec_integration_breaker_state',
    help: 'Circuit breaker state of an integration: 0 closed, 1 half-open (a trial call is running), 2 open.',
    labelNames: ['integration'] as const,
    registers: [registry],
  }));
  return {
    count: (integration, outcome) => calls.inc({ integration, outcome }),
    observeDuration: (integration, seconds) => duration.observe({ integration }, seconds),
    breakerState: (integration, state) => breaker.set({ integration }, BREAKER_GAUGE_VALUES[state]),
  };
}
