import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, serve, type Served } from './serve-harness.ts';

const PROBLEM = /^application\/problem\+json/;

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// Negative cases over real HTTP: every one answers problem+json with the right status and code.
describe.each(ENGINES)('archspec serve: problem+json answers on %s', (engine) => {
  let s: Served;
  let user: { id: string; token: string };

  beforeAll(async () => {
    s = await serve('linkly', engine);
    user = await s.account('eve@example.com');
  }, 60_000);
  afterAll(async () => s?.close());

  const expectProblem = (r: { status: number; headers: Headers; body: any }, status: number, code: string) => {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(PROBLEM);
    expect(r.body).toMatchObject({ status, code, type: `https://archspec.dev/problems/${code}` });
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
  };

  it('answers 401 without a token, with a tampered one, with alg:none and with an expired one', async () => {
    expectProblem(await s.call('GET', '/links'), 401, 'unauthenticated');
    const [header, payload, signature] = user.token.split('.') as [string, string, string];
    const tampered = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expectProblem(await s.call('GET', '/links', { token: tampered }), 401, 'invalid_token');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, roles: ['admin'] })}.`;
    expectProblem(await s.call('GET', '/links', { token: none }), 401, 'invalid_token');
    const forged = `${header}.${base64url({ ...claims, roles: ['admin'] })}.${signature}`;
    expectProblem(await s.call('GET', '/links', { token: forged }), 401, 'invalid_token');
    s.advanceClock(16 * 60_000);
    try {
      expectProblem(await s.call('GET', '/links', { token: user.token }), 401, 'invalid_token');
    } finally {
      s.advanceClock(-16 * 60_000);
    }
  });

  it('rejects a wrong type, a bad email and a bad URL with JSON pointers', async () => {
    const r = await s.call('POST', '/users', { body: { email: 'not-an-email', password: 12345678 } });
    expectProblem(r, 422, 'validation_failed');
    expect(r.body.errors).toEqual(expect.arrayContaining([
      { pointer: '/email', detail: expect.stringContaining('email') },
      { pointer: '/password', detail: 'must be string' },
    ]));
    const link = await s.call('POST', '/links', { token: user.token, body: { target: 'javascript:alert(1)', title: 7 } });
    expectProblem(link, 422, 'validation_failed');
    expect(link.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/target', '/title']);
    const missing = await s.call('POST', '/links', { token: user.token, body: {} });
    expect(missing.body.errors).toEqual([{ pointer: '/target', detail: 'is required' }]);
  });

  it('rejects unknown, read-only and server-managed fields by name (no mass assignment)', async () => {
    const unknown = await s.call('POST', '/links', { token: user.token, body: { target: 'https://a.example', clicks: 5 } });
    expectProblem(unknown, 422, 'unknown_field');
    expect(unknown.body.errors).toEqual([{ pointer: '/clicks', detail: 'is not a field of Link' }]);
    const managed = await s.call('POST', '/links', { token: user.token, body: { target: 'https://a.example', owner: 'someone-else', code: 'mine', version: 9 } });
    expectProblem(managed, 422, 'read_only_field');
    expect(managed.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/code', '/owner', '/version']);
    const role = await s.call('POST', '/users', { body: { email: 'mallory@example.com', password: 'long enough password', role: 'admin' } });
    expectProblem(role, 422, 'read_only_field');
  });

  it('rejects bad query parameters', async () => {
    const unknown = await s.call('GET', '/links?owner[like]=x&colour=red', { token: user.token });
    expectProblem(unknown, 422, 'validation_failed');
    expect(unknown.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/query/colour');
    expectProblem(await s.call('GET', '/links?limit=101', { token: user.token }), 422, 'validation_failed');
    expectProblem(await s.call('GET', '/links?sort=target', { token: user.token }), 422, 'validation_failed');
    expectProblem(await s.call('GET', '/links?cursor=garbage', { token: user.token }), 422, 'validation_failed');
  });

  it('answers 413 for an oversized body, 400 for malformed JSON, 415 for another media type', async () => {
    const big = await s.call('POST', '/links', { token: user.token, body: { target: 'https://a.example', title: 'x'.repeat(17 * 1024) } });
    expectProblem(big, 413, 'payload_too_large');
    expectProblem(await s.call('POST', '/links', { token: user.token, raw: '{"target":' }), 400, 'bad_request');
    expectProblem(await s.call('POST', '/links', { token: user.token, raw: 'target=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });

  it('answers 404 for unknown routes and 405 for other methods, as problem+json', async () => {
    expectProblem(await s.call('GET', '/nothing/here'), 404, 'not_found');
    expectProblem(await s.call('GET', '/nowhere', { root: true }), 404, 'not_found');
    const wrong = await s.call('PUT', '/links', { token: user.token, body: {} });
    expectProblem(wrong, 405, 'method_not_allowed');
    expect(wrong.headers.get('allow')).toBe('GET, POST');
  });

  it('sends security headers and a request id, and no CORS headers', async () => {
    const r = await s.call('GET', '/links', { token: user.token, headers: { origin: 'https://evil.example', 'x-request-id': 'trace-me-1' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-request-id')).toBe('trace-me-1');
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers liveness and readiness probes', async () => {
    expect((await s.call('GET', '/healthz', { root: true })).status).toBe(200);
    const ready = await s.call('GET', '/readyz', { root: true });
    expect(ready.status).toBe(200);
  });

  it('serves the OpenAPI document and the interactive docs', async () => {
    const spec = await s.call('GET', '/openapi.json', { root: true });
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/links', '/links/{code}']));
    const docs = await s.call('GET', '/docs', { root: true });
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('serves Prometheus metrics with per-route request counts', async () => {
    const r = await s.call('GET', '/metrics', { root: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/archspec_http_requests_total\{method="GET",route="\/api\/links",status_class="2xx"\} \d+/);
  });
});
