import { afterEach, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SystemModel } from '../../model/system-model.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { loggerOptionsForFastify } from './logging.ts';
import { registerTracing, startTracing, traceStorage, tracingConfig, withSpan, type Tracing } from './tracing.ts';

const linkly = await exampleModel('linkly');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

function withTracing(tracing: Partial<SystemModel['observability']['tracing']>): SystemModel {
  return { ...linkly, observability: { ...linkly.observability, tracing: { ...linkly.observability.tracing, ...tracing } } };
}

let started: Tracing | undefined;
afterEach(async () => { await started?.shutdown(); started = undefined; });

interface FakeStorage {
  engine: string;
  insert(entity: string, values: Record<string, unknown>): Promise<Record<string, unknown>>;
  transaction<T>(fn: (tx: FakeStorage) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
}

/** A storage-like object whose transaction hands the callback itself. */
const fakeStorage: FakeStorage = {
  engine: 'sqlite',
  async insert(_entity: string, values: Record<string, unknown>) { return { ...values, version: 1 }; },
  async transaction(fn) { return fn(fakeStorage); },
  async ping(): Promise<void> { throw new Error('database is down'); },
};

async function tracedApp(model: SystemModel) {
  const exporter = new InMemorySpanExporter();
  started = await startTracing(model, {}, { exporter });
  const lines: Record<string, any>[] = [];
  const app = Fastify(loggerOptionsForFastify(model, { destination: { write: (s: string) => { lines.push(JSON.parse(s)); } } }));
  registerTracing(app, started.tracer);
  const storage = traceStorage(fakeStorage, started.tracer);
  app.post('/api/links/:code', async (request, reply) => {
    const link = await withSpan(started!.tracer, 'handler create-link', () => storage.transaction((tx) => tx.insert('Link', request.body as Record<string, unknown>)));
    request.log.info('created');
    return reply.status(201).send(link);
  });
  app.get('/api/ping', async () => storage.ping());
  await app.ready();
  return { app, exporter, lines };
}

const byName = (spans: ReadableSpan[], name: string) => spans.find((s) => s.name === name)!;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracingConfig', () => {
  it('exports over OTLP/HTTP when an endpoint is set, appending the traces path', () => {
    expect(tracingConfig(linkly, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({ exporter: 'otlp', url: 'http://collector:4318/v1/traces', sampling: 0.1, serviceName: 'linkly' });
    expect(tracingConfig(linkly, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/traces', OTEL_SERVICE_NAME: 'edge' })).toMatchObject({ exporter: 'otlp', url: 'http://c/traces', serviceName: 'edge' });
  });

  it('is off when the spec asks for OTLP but no endpoint is configured, or tracing is disabled', () => {
    expect(tracingConfig(linkly, {})).toMatchObject({ exporter: 'none', reason: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT') });
    expect(tracingConfig(withTracing({ tool: 'none' }), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' }).exporter).toBe('none');
    expect(tracingConfig(linkly, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SDK_DISABLED: 'true' }).exporter).toBe('none');
  });

  it('writes to standard output when the spec says exporter: stdout', () => {
    expect(tracingConfig(withTracing({ exporter: 'stdout' }), {})).toMatchObject({ exporter: 'stdout', sampling: 0.1 });
  });
});

describe('startTracing', () => {
  it('returns a no-op tracer that records nothing when no exporter is configured', async () => {
    const tracing = await startTracing(linkly, {});
    expect(tracing.enabled).toBe(false);
    expect(tracing.description).toMatch(/^tracing off/);
    const span = tracing.tracer.startSpan('x');
    expect(span.isRecording()).toBe(false);
    await tracing.shutdown();
  });

  it('registers one global provider at a time', async () => {
    started = await startTracing(withTracing({ sampling: 1 }), {}, { exporter: new InMemorySpanExporter() });
    await expect(startTracing(withTracing({ sampling: 1 }), {}, { exporter: new InMemorySpanExporter() })).rejects.toThrow(/already started/);
    await started.shutdown();
    started = await startTracing(withTracing({ sampling: 1 }), {}, { exporter: new InMemorySpanExporter() });
    expect(started.enabled).toBe(true);
  });
});

describe('registerTracing', () => {
  it('continues the caller trace with server, handler and storage spans nested in order', async () => {
    const { app, exporter } = await tracedApp(withTracing({ sampling: 1 }));
    const res = await app.inject({ method: 'POST', url: '/api/links/abc?x=1', headers: { traceparent: TRACEPARENT }, payload: { target: 'https://example.org' } });
    expect(res.statusCode).toBe(201);
    const spans = exporter.getFinishedSpans();
    const server = byName(spans, 'POST /api/links/:code');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(server)).toBe(PARENT_ID);
    expect(server.attributes).toMatchObject({ 'http.method': 'POST', 'http.route': '/api/links/:code', 'http.status_code': 201, 'url.path': '/api/links/abc' });
    const handler = byName(spans, 'handler create-link');
    const transaction = byName(spans, 'transaction');
    const insert = byName(spans, 'insert Link');
    expect(parentOf(handler)).toBe(server.spanContext().spanId);
    expect(parentOf(transaction)).toBe(handler.spanContext().spanId);
    expect(parentOf(insert)).toBe(transaction.spanContext().spanId);
    expect(insert.kind).toBe(SpanKind.CLIENT);
    expect(insert.attributes).toMatchObject({ 'db.system.name': 'sqlite', 'db.operation.name': 'insert', 'db.collection.name': 'Link' });
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([TRACE_ID]));
  });

  it('puts the trace id of the request span on every log line of the request', async () => {
    const { app, exporter, lines } = await tracedApp(withTracing({ sampling: 1 }));
    await app.inject({ method: 'POST', url: '/api/links/abc', payload: {} });
    const server = byName(exporter.getFinishedSpans(), 'POST /api/links/:code');
    expect(lines.map((l) => l.msg)).toEqual(['created', 'request completed']);
    for (const line of lines) expect(line).toMatchObject({ traceId: server.spanContext().traceId, spanId: server.spanContext().spanId });
  });

  it('marks the server span and the failing storage span as errors', async () => {
    const { app, exporter } = await tracedApp(withTracing({ sampling: 1 }));
    expect((await app.inject('/api/ping')).statusCode).toBe(500);
    const spans = exporter.getFinishedSpans();
    expect(byName(spans, 'GET /api/ping').status.code).toBe(SpanStatusCode.ERROR);
    const ping = byName(spans, 'ping');
    expect(ping.status).toEqual({ code: SpanStatusCode.ERROR, message: 'database is down' });
    expect(ping.events.map((e) => e.name)).toContain('exception');
  });

  it('creates storage spans only inside a recorded trace', async () => {
    const { app, exporter } = await tracedApp(withTracing({ sampling: 1 }));
    const unsampled = `00-${TRACE_ID}-${PARENT_ID}-00`;
    await app.inject({ method: 'POST', url: '/api/links/abc', headers: { traceparent: unsampled }, payload: {} });
    await traceStorage(fakeStorage, started!.tracer).insert('Link', { outside: 'any request' });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('still logs the caller trace id when tracing is off', async () => {
    const tracing = await startTracing(linkly, {});
    const lines: Record<string, any>[] = [];
    const app = Fastify(loggerOptionsForFastify(linkly, { destination: { write: (s: string) => { lines.push(JSON.parse(s)); } } }));
    registerTracing(app, tracing.tracer);
    app.get('/api/x', async () => ({}));
    await app.inject({ url: '/api/x', headers: { traceparent: TRACEPARENT } });
    expect(lines[0]).toMatchObject({ msg: 'request completed', traceId: TRACE_ID });
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
