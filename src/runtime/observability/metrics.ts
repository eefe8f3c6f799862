import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SystemModel } from '../../model/system-model.ts';
import { observePool, reuseMetric, type PoolStats } from './storage-metrics.ts';

export { instrumentStorage, observePool, type PoolStats } from './storage-metrics.ts';

/**
 * Prometheus metrics of the running system at GET /metrics: request rate, errors and latency per
 * route (the route pattern, so `/api/links/:code` is one series however many codes exist), the
 * default Node.js process metrics, and (through the exports of storage-metrics.ts) database
 * query timings and pool occupancy.
 */

/** Multiples of each latency target that become bucket boundaries: the target itself and a spread around it. */
const SPREAD = [0.25, 0.5, 1, 2, 4];
/** Fixed boundaries, seconds: very fast answers, and the slow tail up to typical client timeouts. */
const ANCHORS = [0.001, 0.005, 1, 5, 10];
/** Used when the spec states no latency target (prom-client's defaults). */
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Histogram buckets in seconds, built around the spec's latency targets: every target of
 * `requirements.nonFunctional.latency` is a boundary (so "share of requests within p95 target"
 * is exact, not interpolated), with 0.25x, 0.5x, 2x and 4x of each and a few fixed anchors.
 *
 * @example
 * latencyBuckets(linkly) // [0.001, 0.005, 0.0125, 0.025, 0.03, 0.05, 0.06, 0.1, 0.12, 0.2, ...]
 */
export function latencyBuckets(model: SystemModel): number[] {
  const targets = Object.values(model.requirements.nonFunctional.latency).flat().map((t) => t.ms / 1000);
  if (!targets.length) return [...DEFAULT_BUCKETS];
  const bounds = new Set(ANCHORS);
  for (const target of targets) for (const factor of SPREAD) bounds.add(Number((target * factor).toPrecision(6)));
  return [...bounds].sort((a, b) => a - b);
}

/** What {@link registerMetrics} returns. */
export interface Metrics {
  registry: Registry;
  /** Reports a database pool's occupancy at each scrape (see storage-metrics.ts). */
  observePool(getStats: () => PoolStats): void;
}

/** Label for requests no route matched, so probing random URLs cannot create unbounded series. */
export const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Adds request metrics and GET /metrics (Prometheus text format 0.0.4) to `app`:
 * `archspec_http_requests_total{method,route,status_class}`,
 * `archspec_http_request_errors_total{method,route,status_class}` (5xx answers), and
 * `archspec_http_request_duration_seconds{method,route,status_class}` with {@link latencyBuckets}.
 * Default process metrics (CPU, memory, event loop lag, GC) are collected into the same registry,
 * a new one unless `options.registry` is given.
 *
 * @example
 * const { registry } = registerMetrics(app, model);
 * const storage = instrumentStorage(rawStorage, registry);
 */
export function registerMetrics(app: FastifyInstance, model: SystemModel, options: { registry?: Registry } = {}): Metrics {
  const registry = options.registry ?? new Registry();
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_class'] as const;
  const requests = reuseMetric(registry, 'archspec_http_requests_total', () => new Counter({
    name: 'archspec_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status class.', labelNames, registers: [registry],
  }));
  const errors = reuseMetric(registry, 'archspec_http_request_errors_total', () => new Counter({
    name: 'archspec_http_request_errors_total', help: 'HTTP requests answered with a server error (5xx).', labelNames, registers: [registry],
  }));
  const duration = reuseMetric(registry, 'archspec_http_request_duration_seconds', () => new Histogram({
    name: 'archspec_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, in seconds; buckets include every latency target of the spec.',
    labelNames,
    buckets: latencyBuckets(model),
    registers: [registry],
  }));

  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_class: `${Math.floor(reply.statusCode / 100)}xx` };
    requests.inc(labels);
    if (reply.statusCode >= 500) errors.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return { registry, observePool: (getStats) => observePool(registry, getStats) };
}
