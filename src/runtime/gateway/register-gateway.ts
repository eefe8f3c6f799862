import type { IncomingHttpHeaders } from 'node:http';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import { authorizationHook, fastifyUrl } from '../authorization.ts';
import { latencyBuckets } from '../observability/metrics.ts';
import { reuseMetric } from '../observability/storage-metrics.ts';
import { sendProblem } from '../problem-response.ts';
import { forwardedHeaders } from './forwarded-headers.ts';
import type { GatewayRoute } from './gateway-routes.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The service a gateway route forwards to. */
    forwardTo?: string;
  }
}

/** What {@link registerGateway} needs. */
export interface GatewayOptions {
  /** The origin of each service (`http://links:3000`), by component name (see service-addresses.ts). */
  upstreams: ReadonlyMap<string, string>;
  registry: Registry;
  tracer: Tracer;
  /** Longest wait for a service's response headers, and between two chunks of its body (default 30 s). */
  timeoutMs?: number;
  /** Longest wait for a connection to a service (default 5 s). */
  connectTimeoutMs?: number;
}

/** Seconds a client should wait before retrying when a service does not answer. */
export const UPSTREAM_RETRY_AFTER_SECONDS = 5;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Adds the gateway's forwarding routes to `app` (after its own routes): each request to a route of
 * `routes` is checked at the edge, then sent to its service with @fastify/reply-from (undici), and
 * the service's answer, whatever it is, goes back unchanged (status, headers such as Retry-After,
 * RateLimit-*, Location, ETag, Idempotent-Replayed, and the body).
 *
 * - Edge checks: the server's authentication stage already refused a bad token (401 invalid_token);
 *   a spec endpoint's roles are checked here too (401/403, as the service would answer). The
 *   service checks both again with the same secret: the forwarded credential is the caller's identity.
 * - Bodies are forwarded as the raw bytes received (no JSON parsing at the gateway), so a webhook's
 *   HMAC signature still verifies at the service; the spec's body limit applies at both.
 * - Headers: see forwarded-headers.ts (client address, request id, trace context). With tracing on,
 *   each call is a client span `<METHOD> <service>`, whose context the service continues.
 * - A service that cannot be reached, or does not answer within `timeoutMs`, gives 503
 *   `service_unavailable` with Retry-After, naming the service, never its address. Nothing is
 *   retried: a retried POST could be applied twice, and the caller's Idempotency-Key is what makes
 *   retrying safe.
 * - Metrics: `archspec_gateway_upstream_requests_total{service,outcome}` (outcome: the status
 *   class, or `unavailable`) and `archspec_gateway_upstream_duration_seconds{service}`.
 *
 * Rate limits are not counted here: they are enforced where the endpoint runs, in the service.
 *
 * @example
 * await registerGateway(app, model, gatewayRoutes(model, plan.forwards), { upstreams, registry, tracer });
 */
export async function registerGateway(app: FastifyInstance, model: SystemModel, routes: readonly GatewayRoute[], options: GatewayOptions): Promise<void> {
  if (!routes.length) return;
  // Imported only by gateways: other processes never load the proxy (or its undici 7).
  const { default: replyFrom } = await import('@fastify/reply-from');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const metrics = upstreamMetrics(options.registry, model);
  const outages = new OutageLog(app.log);

  await app.register(async (scope) => {
    // Forwarded bodies stay bytes: no parser here reads them as JSON (the gateway's own routes keep theirs).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    await scope.register(replyFrom, {
      disableRequestLogging: true,
      undici: {
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        // reply-from turns TLS verification off unless told otherwise; a service's certificate must verify.
        connect: { timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, rejectUnauthorized: true },
        tls: { rejectUnauthorized: true },
      } as Record<string, unknown>,
    });
    for (const route of routes) {
      const origin = options.upstreams.get(route.service);
      if (!origin) throw new Error(`the gateway has no address for service ${route.service}`);
      scope.route({
        method: route.method,
        url: fastifyUrl(model, route.route),
        config: { forwardTo: route.service, ...(route.credentials ? { credentials: route.credentials } : {}) },
        ...(route.endpoint ? { onRequest: authorizationHook(model, route.endpoint) } : {}),
        handler: (request, reply) => forward(request, reply, route.service, origin, options.tracer, metrics, outages, timeoutMs),
      });
    }
  });
}

interface UpstreamMetrics {
  requests: Counter<'service' | 'outcome'>;
  duration: Histogram<'service'>;
}

function upstreamMetrics(registry: Registry, model: SystemModel): UpstreamMetrics {
  return {
    requests: reuseMetric(registry, 'archspec_gateway_upstream_requests_total', () => new Counter({
      name: 'archspec_gateway_upstream_requests_total',
      help: 'Requests the gateway forwarded, by service and outcome (the status class of the answer, or unavailable).',
      labelNames: ['service', 'outcome'] as const,
      registers: [registry],
    })),
    duration: reuseMetric(registry, 'archspec_gateway_upstream_duration_seconds', () => new Histogram({
      name: 'archspec_gateway_upstream_duration_seconds',
      help: 'Time from forwarding a request to receiving the service\'s response headers, in seconds, by service.',
      labelNames: ['service'] as const,
      buckets: latencyBuckets(model),
      registers: [registry],
    })),
  };
}

function forward(request: FastifyRequest, reply: FastifyReply, service: string, origin: string, tracer: Tracer, metrics: UpstreamMetrics, outages: OutageLog, timeoutMs: number): FastifyReply {
  const parent = context.active();
  const span = tracer.startSpan(`${request.method} ${service}`, { kind: SpanKind.CLIENT, attributes: { 'http.request.method': request.method, 'archspec.service': service } }, parent);
  const callContext = trace.setSpan(parent, span);
  const stopTimer = metrics.duration.startTimer({ service });
  const body = Buffer.isBuffer(request.body) ? request.body : undefined;
  // reply-from logs every failed call at warn (with the service's address); the outage log reports a streak once instead.
  if (request.log.level !== 'silent' && request.log.level !== 'fatal') request.log = request.log.child({}, { level: 'error' });
  try {
    reply.from(undefined, {
      getUpstream: () => origin,
      ...(body ? { body, contentType: request.headers['content-type'] ?? 'application/octet-stream' } : {}),
      rewriteRequestHeaders: (_request, headers) => forwardedHeaders(request, headers as IncomingHttpHeaders, callContext),
      // reply-from retries a GET answered 503 up to ten times by default: the service's own 503 must reach the caller.
      retryDelay: () => null,
      onResponse: (_request, response, res) => {
        stopTimer();
        outages.answered(service);
        metrics.requests.inc({ service, outcome: `${Math.floor(res.statusCode / 100)}xx` });
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        response.send(res.stream);
      },
      onError: (_reply, { error }) => {
        stopTimer();
        metrics.requests.inc({ service, outcome: 'unavailable' });
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        span.end();
        const code = String((error as { code?: string }).code ?? '');
        const timedOut = code === 'FST_REPLY_FROM_GATEWAY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT';
        outages.failed(service, error);
        const detail = timedOut
          ? `the ${service} service did not answer within ${Math.round(timeoutMs / 1000)} s; try again shortly`
          : `the ${service} service cannot be reached; try again shortly`;
        sendProblem(reply, new ApiError('service_unavailable', detail, { retryAfterSeconds: UPSTREAM_RETRY_AFTER_SECONDS }), request.url);
      },
    });
  } catch (e) {
    // reply-from refuses a path that climbs out of the route (`..`) or is not valid percent-encoding.
    stopTimer();
    span.end();
    throw new ApiError('bad_request', `the path ${request.url.split('?')[0]} cannot be forwarded: ${(e as Error).message}`);
  }
  return reply;
}

/** Logs a service's first failure of a streak (with its cause: the log may name hosts) and its recovery, not every failed request. */
class OutageLog {
  private readonly down = new Set<string>();
  constructor(private readonly log: FastifyBaseLogger) {}

  failed(service: string, err: Error): void {
    if (this.down.has(service)) return;
    this.down.add(service);
    this.log.warn({ err, service }, `service ${service} cannot be reached; its requests are answered 503 until it answers again`);
  }

  answered(service: string): void {
    if (this.down.delete(service)) this.log.info({ service }, `service ${service} answers again`);
  }
}
