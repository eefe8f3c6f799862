import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import type { SystemModel } from '../../model/system-model.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { instrumentStorage, latencyBuckets, registerMetrics, UNMATCHED_ROUTE } from './metrics.ts';

const linkly = await exampleModel('linkly');

/** The value of one sample line of the Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function appWithMetrics(model: SystemModel) {
  const app = Fastify();
  const metrics = registerMetrics(app, model);
  app.get('/api/links/:code', async () => ({ ok: true }));
  app.get('/api/boom', async () => { throw new Error('boom'); });
  await app.ready();
  return { app, ...metrics };
}

describe('latencyBuckets', () => {
  it('puts every latency target of the spec on a bucket boundary, ascending and without duplicates', () => {
    const buckets = latencyBuckets(linkly);
    for (const ms of [50, 120, 200, 400]) expect(buckets).toContain(ms / 1000);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    expect(new Set(buckets).size).toBe(buckets.length);
    expect(buckets).toContain(0.025); // half the read p95
    expect(buckets).toContain(1.6); // four times the write p99
  });

  it('falls back to general-purpose buckets when the spec states no latency target', () => {
    const model = { ...linkly, requirements: { ...linkly.requirements, nonFunctional: { ...linkly.requirements.nonFunctional, latency: {} } } };
    expect(latencyBuckets(model)).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  });
});

describe('registerMetrics', () => {
  it('serves Prometheus text at /metrics with the 0.0.4 content type and process metrics', async () => {
    const { app } = await appWithMetrics(linkly);
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(res.body).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('counts requests by route pattern, not raw URL, with status class and latency buckets at the targets', async () => {
    const { app } = await appWithMetrics(linkly);
    await app.inject('/api/links/abc');
    await app.inject('/api/links/xyz');
    const text = (await app.inject('/metrics')).body;
    expect(sample(text, 'archspec_http_requests_total{method="GET",route="/api/links/:code",status_class="2xx"}')).toBe(2);
    expect(text).not.toContain('/api/links/abc');
    expect(sample(text, 'archspec_http_request_duration_seconds_bucket{le="0.05",method="GET",route="/api/links/:code",status_class="2xx"}')).toBe(2);
    expect(sample(text, 'archspec_http_request_duration_seconds_count{method="GET",route="/api/links/:code",status_class="2xx"}')).toBe(2);
  });

  it('counts 5xx answers as errors and folds unmatched URLs into one series', async () => {
    const { app } = await appWithMetrics(linkly);
    await app.inject('/api/boom');
    await app.inject('/no/such/page/1');
    await app.inject('/no/such/page/2');
    const text = (await app.inject('/metrics')).body;
    expect(sample(text, 'archspec_http_request_errors_total{method="GET",route="/api/boom",status_class="5xx"}')).toBe(1);
    expect(sample(text, `archspec_http_requests_total{method="GET",route="${UNMATCHED_ROUTE}",status_class="4xx"}`)).toBe(2);
    expect(text).not.toMatch(/archspec_http_request_errors_total\{[^}]*4xx/);
  });

  it('reports pool occupancy read at scrape time', async () => {
    const { app, observePool } = await appWithMetrics(linkly);
    let waiting = 0;
    observePool(() => ({ total: 20, idle: 3, waiting }));
    waiting = 7;
    const text = (await app.inject('/metrics')).body;
    expect(sample(text, 'archspec_db_pool_connections')).toBe(20);
    expect(sample(text, 'archspec_db_pool_idle_connections')).toBe(3);
    expect(sample(text, 'archspec_db_pool_waiting_clients')).toBe(7);
  });
});

/** A storage-like object with a private field, so the proxy must call methods on the original. */
class FakeStorage {
  readonly engine = 'sqlite';
  readonly #rows = new Map<string, Record<string, unknown>>();
  readonly system = { findApiKey: async (hash: string) => (hash === 'known' ? { id: 'k1' } : undefined) };
  async insert(entity: string, values: Record<string, unknown>) { this.#rows.set(`${entity}:${String(values.id)}`, values); return values; }
  async get(entity: string, id: string) { return this.#rows.get(`${entity}:${id}`); }
  async update(): Promise<never> { throw new Error('database is locked'); }
  async transaction<T>(fn: (tx: FakeStorage) => Promise<T>): Promise<T> { return fn(this); }
}

describe('instrumentStorage', () => {
  it('times each call by operation and entity and returns the real results', async () => {
    const registry = new Registry();
    const storage = instrumentStorage(new FakeStorage(), registry);
    expect(storage.engine).toBe('sqlite');
    await storage.insert('Link', { id: 'abc' });
    expect(await storage.get('Link', 'abc')).toEqual({ id: 'abc' });
    expect(await storage.system.findApiKey('known')).toEqual({ id: 'k1' });
    const text = await registry.metrics();
    expect(sample(text, 'archspec_db_query_duration_seconds_count{operation="insert",entity="Link"}')).toBe(1);
    expect(sample(text, 'archspec_db_query_duration_seconds_count{operation="get",entity="Link"}')).toBe(1);
    expect(sample(text, 'archspec_db_query_duration_seconds_count{operation="system.findApiKey",entity=""}')).toBe(1);
  });

  it('counts failures and still rethrows them', async () => {
    const registry = new Registry();
    const storage = instrumentStorage(new FakeStorage(), registry);
    await expect(storage.update()).rejects.toThrow('database is locked');
    const text = await registry.metrics();
    expect(sample(text, 'archspec_db_query_errors_total{operation="update",entity=""}')).toBe(1);
    expect(sample(text, 'archspec_db_query_duration_seconds_count{operation="update",entity=""}')).toBe(1);
  });

  it('observes calls made through a transaction as well as the transaction itself', async () => {
    const registry = new Registry();
    const storage = instrumentStorage(new FakeStorage(), registry);
    await storage.transaction(async (tx) => { await tx.insert('Visit', { id: 'v1' }); await tx.insert('Visit', { id: 'v2' }); });
    const text = await registry.metrics();
    expect(sample(text, 'archspec_db_query_duration_seconds_count{operation="transaction",entity=""}')).toBe(1);
    expect(sample(text, 'archspec_db_query_duration_seconds_count{operation="insert",entity="Visit"}')).toBe(2);
  });
});
