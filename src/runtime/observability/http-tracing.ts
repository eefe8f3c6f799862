import { context, defaultTextMapGetter, isSpanContextValid, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { wrapCalls, type StorageCall } from './wrap-calls.ts';

/**
 * Spans for the three layers of a request: the HTTP exchange (server span), the handler, and
 * each storage call (client spans), linked by the active context so a trace shows the whole path.
 */

/** The incoming trace context is read with the W3C propagator directly, so it reaches the logs even when tracing is off. */
const propagator = new W3CTraceContextPropagator();

/**
 * A server span per request, named `METHOD /route/:pattern`, continuing the caller's trace from
 * `traceparent`, with `http.request.method`/`http.method`, `http.route`, `url.path` and, at the
 * end, `http.response.status_code`/`http.status_code` (5xx marks the span as an error). The trace
 * and span ids are bound to the request's logger (`traceId`, `spanId`) so every log line of the
 * request carries them; with a no-op tracer only a caller's `traceparent` gives a trace id.
 * The rest of the request (hooks, handler) runs in the span's context, so spans started there are
 * its children.
 *
 * @example
 * registerTracing(app, tracing.tracer); // before routes and other hooks
 */
export function registerTracing(app: FastifyInstance, tracer: Tracer): void {
  const spans = new WeakMap<FastifyRequest, { span: Span; ended: boolean }>();
  const end = (request: FastifyRequest, statusCode: number | undefined, error?: Error) => {
    const entry = spans.get(request);
    if (!entry || entry.ended) return;
    entry.ended = true;
    if (statusCode !== undefined) entry.span.setAttributes({ 'http.response.status_code': statusCode, 'http.status_code': statusCode });
    if (error) entry.span.recordException(error);
    if (error || (statusCode ?? 500) >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR, ...(error ? { message: error.message } : {}) });
    entry.span.end();
  };

  app.addHook('onRequest', (request, reply, done) => {
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    const route = request.routeOptions.url;
    const span = tracer.startSpan(route ? `${request.method} ${route}` : request.method, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        'http.method': request.method,
        'url.path': request.url.split('?')[0] ?? '/',
        ...(route ? { 'http.route': route } : {}),
      },
    }, parent);
    const ctx = trace.setSpan(parent, span);
    spans.set(request, { span, ended: false });
    const ids = span.spanContext();
    if (isSpanContextValid(ids)) {
      // Fastify writes its request lines through reply.log; handlers use request.log.
      const log = request.log.child({ traceId: ids.traceId, spanId: ids.spanId });
      request.log = log;
      reply.log = log;
    }
    context.with(ctx, done);
  });
  app.addHook('onError', (request, _reply, error, done) => {
    spans.get(request)?.span.recordException(error);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    end(request, undefined, new Error('the client closed the connection before the response'));
    done();
  });
}

/**
 * Runs `fn` inside a new span `name` (a child of the active span) and ends it when `fn` settles;
 * a throw or rejection is recorded on the span, marks it as an error and is rethrown.
 *
 * @example
 * const order = await withSpan(tracer, 'handler place-order', () => placeOrder(ctx));
 */
export async function withSpan<T>(tracer: Tracer, name: string, fn: (span: Span) => Promise<T> | T, attributes: Attributes = {}): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      fail(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function fail(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

/** OpenTelemetry `db.system.name` values of archspec's storage engines. */
const DB_SYSTEM: Record<string, string> = { sqlite: 'sqlite', postgres: 'postgresql' };

/**
 * Returns `storage` wrapped so that every method call (record operations, `system.*`,
 * `transaction` and the calls inside it) runs in a client span `operation entity` with
 * `db.system.name`, `db.operation.name` and `db.collection.name`, a child of the active span.
 * Calls made outside a recorded span (tracing off, an unsampled request, start-up migrations) go
 * straight through without a span, so the wrapper costs next to nothing there.
 */
export function traceStorage<T extends object>(storage: T, tracer: Tracer): T {
  const engine = (storage as { engine?: unknown }).engine;
  const system = typeof engine === 'string' ? DB_SYSTEM[engine] ?? engine : undefined;
  return wrapCalls(storage, (call, invoke) => {
    // Storage spans only ever join a recorded trace: under an unsampled parent they would be
    // dropped anyway (parent-based sampling), and with tracing off there is no context at all.
    if (!trace.getActiveSpan()?.isRecording()) return invoke();
    return storageSpan(tracer, system, call, invoke);
  });
}

function storageSpan(tracer: Tracer, system: string | undefined, call: StorageCall, invoke: () => unknown): unknown {
  return tracer.startActiveSpan(`${call.operation} ${call.entity}`.trim(), {
    kind: SpanKind.CLIENT,
    attributes: {
      ...(system ? { 'db.system.name': system } : {}),
      'db.operation.name': call.operation,
      ...(call.entity ? { 'db.collection.name': call.entity } : {}),
    },
  }, (span) => {
    let result: unknown;
    try {
      result = invoke();
    } catch (error) {
      fail(span, error);
      span.end();
      throw error;
    }
    if (!(result instanceof Promise)) {
      span.end();
      return result;
    }
    return result.then((value: unknown) => { span.end(); return value; }, (error: unknown) => { fail(span, error); span.end(); throw error; });
  });
}
