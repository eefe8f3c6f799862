import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import type { DestinationStream } from 'pino';
import type { SystemModel } from '../../model/system-model.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { createLogger, loggerOptionsForFastify, registerRequestId } from './logging.ts';
import { redactedNames, redactUrl } from './log-redaction.ts';

const linkly = await exampleModel('linkly');
const payments = await exampleModel('payments');

/** A destination collecting parsed log lines. */
function capture(): DestinationStream & { lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  return { lines, write: (text: string) => { lines.push(JSON.parse(text)); } };
}

function withRedact(model: SystemModel, redact: 'pii' | 'sensitive' | 'none'): SystemModel {
  return { ...model, observability: { ...model.observability, logs: { ...model.observability.logs, redact } } };
}

describe('createLogger', () => {
  it('masks the PII fields of the model wherever a handler logs them (redact: pii)', () => {
    const out = capture();
    const log = createLogger(linkly, { destination: out });
    log.info({ email: 'top@x.io', user: { email: 'a@x.io', name: 'Ada' }, req: { body: { email: 'b@x.io', items: [{ email: 'c@x.io' }] } }, target: 'https://x.io' }, 'signed up');
    const line = out.lines[0]!;
    expect(line.email).toBe('[redacted]');
    expect(line.user).toEqual({ email: '[redacted]', name: '[redacted]' });
    expect(line.req.body.email).toBe('[redacted]');
    expect(line.req.body.items[0].email).toBe('[redacted]');
    expect(line.target).toBe('https://x.io');
    expect(JSON.stringify(line)).not.toMatch(/@x\.io|Ada/);
  });

  it('masks credentials and auth headers even when the spec redacts nothing', () => {
    const out = capture();
    const log = createLogger(withRedact(linkly, 'none'), { destination: out });
    log.info({ req: { headers: { authorization: 'Bearer abc', cookie: 's=1', 'x-api-key': 'k1' }, body: { password: 'hunter22', email: 'a@x.io' } }, refreshToken: 'r1' }, 'login');
    const line = out.lines[0]!;
    expect(line.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' });
    expect(line.req.body).toEqual({ password: '[redacted]', email: 'a@x.io' });
    expect(line.refreshToken).toBe('[redacted]');
  });

  it('masks only sensitive fields, not PII, when the spec says redact: sensitive', () => {
    const names = redactedNames(payments);
    expect(payments.observability.logs.redact).toBe('sensitive');
    expect(names).toContain('cardLast4');
    expect(names).toContain('processorToken');
    expect(names).not.toContain('email');
    const out = capture();
    createLogger(payments, { destination: out }).info({ payment: { cardLast4: '4242', email: 'a@x.io' } }, 'charged');
    expect(out.lines[0]!.payment).toEqual({ cardLast4: '[redacted]', email: 'a@x.io' });
  });

  it('writes JSON with ISO time, level name and the system name', () => {
    const out = capture();
    createLogger(linkly, { destination: out, level: 'debug' }).debug('hello');
    expect(out.lines[0]).toMatchObject({ level: 'debug', service: 'Linkly', msg: 'hello' });
    expect(out.lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('redactUrl', () => {
  it('masks the values of redacted query parameters, filter operators included', () => {
    const names = new Set(['email']);
    expect(redactUrl('/api/users?email=a%40x.io&limit=5&email[like]=%25x', names)).toBe('/api/users?email=[redacted]&limit=5&email[like]=[redacted]');
    expect(redactUrl('/api/users?limit=5', names)).toBe('/api/users?limit=5');
  });
});

describe('loggerOptionsForFastify', () => {
  async function app() {
    const out = capture();
    const server = Fastify(loggerOptionsForFastify(linkly, { destination: out }));
    registerRequestId(server);
    server.get('/api/users', async (request) => { request.log.info({ user: { email: 'a@x.io' } }, 'looked up'); return []; });
    server.get('/healthz', async () => ({ status: 'ok' }));
    await server.ready();
    return { server, lines: out.lines };
  }

  it('reuses a plain X-Request-Id, echoes it and logs it on every line of the request', async () => {
    const { server, lines } = await app();
    const res = await server.inject({ url: '/api/users?email=a%40x.io', headers: { 'x-request-id': 'req-42', authorization: 'Bearer secret' } });
    expect(res.headers['x-request-id']).toBe('req-42');
    expect(lines.map((l) => l.reqId)).toEqual(['req-42', 'req-42']);
    const done = lines.find((l) => l.msg === 'request completed')!;
    expect(done.req).toMatchObject({ method: 'GET', url: '/api/users?email=[redacted]', route: '/api/users' });
    expect(done.res).toEqual({ statusCode: 200 });
    expect(typeof done.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/secret|a@x\.io|a%40x\.io/);
  });

  it('replaces a missing or unsafe X-Request-Id with a new UUID', async () => {
    const { server } = await app();
    const fresh = await server.inject('/api/users');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await server.inject({ url: '/api/users', headers: { 'x-request-id': 'x'.repeat(200) } });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes no info line for probes', async () => {
    const { server, lines } = await app();
    await server.inject('/healthz');
    expect(lines).toEqual([]);
  });
});
