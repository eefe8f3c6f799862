import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { forwardedHeaders, type ForwardedRequest } from './forwarded-headers.ts';

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';

function request(headers: ForwardedRequest['headers']): ForwardedRequest {
  return { id: 'req-1', ip: '203.0.113.7', protocol: 'https', host: 'api.example.com', headers };
}

describe('forwardedHeaders', () => {
  it('passes the caller\'s credentials and request headers through unchanged', () => {
    const headers = {
      authorization: 'Bearer abc', 'x-api-key': 'ak_1_x', 'idempotency-key': 'k-1', 'content-type': 'application/json; charset=utf-8',
      'x-processor-signature': 'sha256=00', 'if-none-match': 'W/"1"', accept: 'application/json',
    };
    expect(forwardedHeaders(request(headers), { ...headers }, ROOT_CONTEXT)).toMatchObject(headers);
  });

  it('replaces the forwarding headers with what the gateway determined, so a client cannot smuggle an address in', () => {
    const incoming = { 'x-forwarded-for': '10.9.9.9, 10.8.8.8', 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'evil', forwarded: 'for=10.9.9.9', 'x-request-id': 'client-chosen' };
    const out = forwardedHeaders(request(incoming), { ...incoming }, ROOT_CONTEXT);
    expect(out).toMatchObject({ 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com', 'x-request-id': 'req-1' });
    expect(out.forwarded).toBeUndefined();
  });

  it('continues the client\'s trace when the gateway records none (tracing off)', () => {
    const incoming = { traceparent: `00-${CLIENT_TRACE}-b7ad6b7169203331-01`, tracestate: 'vendor=1' };
    const out = forwardedHeaders(request(incoming), { ...incoming }, ROOT_CONTEXT);
    expect(out.traceparent).toBe(`00-${CLIENT_TRACE}-b7ad6b7169203331-01`);
    expect(out.tracestate).toBe('vendor=1');
    // A malformed one is not passed on.
    const bad = forwardedHeaders(request({ traceparent: 'nonsense' }), { traceparent: 'nonsense' }, ROOT_CONTEXT);
    expect(bad.traceparent).toBeUndefined();
  });

  it('sends the gateway\'s own span as the parent when it has one', () => {
    const span = trace.wrapSpanContext({ traceId: CLIENT_TRACE, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
    const incoming = { traceparent: `00-${CLIENT_TRACE}-b7ad6b7169203331-01` };
    const out = forwardedHeaders(request(incoming), { ...incoming }, trace.setSpan(ROOT_CONTEXT, span));
    expect(out.traceparent).toBe(`00-${CLIENT_TRACE}-00f067aa0ba902b7-01`);
  });
});
