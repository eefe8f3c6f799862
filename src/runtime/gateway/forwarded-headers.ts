import type { IncomingHttpHeaders } from 'node:http';
import { context, defaultTextMapGetter, defaultTextMapSetter, isSpanContextValid, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * The headers a gateway sends a service with a forwarded request. Everything the client sent
 * passes through unchanged (Authorization, X-API-Key, Idempotency-Key, Content-Type, a webhook's
 * signature header, conditional headers ...), except what the gateway itself vouches for:
 *
 * - `X-Forwarded-For` is the client address as the gateway determined it (its own TRUST_PROXY
 *   applied), alone: a service that trusts one proxy hop (TRUST_PROXY=1) then sees the same
 *   address whatever sits in front of the gateway, and a client cannot smuggle another address in.
 *   `X-Forwarded-Proto` and `X-Forwarded-Host` likewise (`Forwarded` is dropped).
 * - `X-Request-Id` is the gateway's request id, so the service logs the request under the same id.
 * - `traceparent` and `tracestate` come from `trace` (the gateway's span for the call), else from
 *   what the client sent (tracing off): the service's spans and log lines carry the same trace id.
 */

const propagator = new W3CTraceContextPropagator();

/** What the gateway knows about the incoming request. */
export interface ForwardedRequest {
  id: string;
  /** The client address (Fastify's `request.ip`, TRUST_PROXY applied). */
  ip: string;
  /** `http` or `https` as the client used it (`request.protocol`). */
  protocol: string;
  /** The Host the client asked for (`request.host`). */
  host: string;
  headers: IncomingHttpHeaders;
}

/** Headers about the path the request took, replaced by the gateway's own. */
const REPLACED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-request-id', 'traceparent', 'tracestate'];

/**
 * `headers` (the outgoing copy of the client's headers) with the gateway's forwarding headers.
 * `trace` is the context whose span the service should continue (default: the active context).
 *
 * @example
 * forwardedHeaders({ id: 'r1', ip: '203.0.113.7', protocol: 'https', host: 'api.example.com', headers }, { ...headers })
 * // { ..., 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-request-id': 'r1', traceparent: '00-...' }
 */
export function forwardedHeaders(request: ForwardedRequest, headers: IncomingHttpHeaders, traceContext: Context = context.active()): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of REPLACED) delete out[name];
  out['x-forwarded-for'] = request.ip;
  out['x-forwarded-proto'] = request.protocol;
  out['x-forwarded-host'] = request.host;
  out['x-request-id'] = request.id;
  // With tracing off no span is active (or only an invalid one): pass on the client's own trace context (normalized), if any.
  const span = trace.getSpan(traceContext);
  const source = span && isSpanContextValid(span.spanContext()) ? traceContext : propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
  const carrier: Record<string, string> = {};
  propagator.inject(source, carrier, defaultTextMapSetter);
  if (carrier.traceparent) out.traceparent = carrier.traceparent;
  if (carrier.tracestate) out.tracestate = carrier.tracestate;
  return out;
}
