import Fastify from 'fastify';
import helmet from '@fastify/helmet';
import { describe, expect, it } from 'vitest';
import { registerIntake, securityHeaders } from './request-intake.ts';

const withoutDate = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'date'));

describe('registerIntake', () => {
  it('sends the security headers helmet sends, on routes and on unknown paths alike', async () => {
    const headers = await securityHeaders();
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['strict-transport-security']).toBeUndefined(); // left to the TLS terminator
    const app = Fastify();
    await registerIntake(app);
    app.get('/x', async () => ({ ok: true }));
    for (const url of ['/x', '/missing']) {
      const res = await app.inject({ method: 'GET', url });
      for (const [name, value] of Object.entries(headers)) expect(res.headers[name], `${url} ${name}`).toBe(value);
    }
    await app.close();
  });

  it('computes exactly the header set @fastify/helmet would add per request', async () => {
    const plugin = Fastify();
    await plugin.register(helmet, {
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], upgradeInsecureRequests: null } },
      hsts: false,
    });
    plugin.get('/x', async () => ({ ok: true }));
    const ours = Fastify();
    await registerIntake(ours);
    ours.get('/x', async () => ({ ok: true }));
    const [a, b] = await Promise.all([plugin.inject({ method: 'GET', url: '/x' }), ours.inject({ method: 'GET', url: '/x' })]);
    expect(withoutDate(b.headers)).toEqual(withoutDate(a.headers));
    await Promise.all([plugin.close(), ours.close()]);
  });

  it('keeps the raw JSON body and treats an empty JSON body as none', async () => {
    const app = Fastify();
    await registerIntake(app);
    app.post('/echo', async (request) => ({ raw: request.rawBody, body: request.body ?? null }));
    const sent = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a": 1}' });
    expect(sent.json()).toEqual({ raw: '{"a": 1}', body: { a: 1 } });
    const empty = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '' });
    expect(empty.json()).toEqual({ raw: '', body: null });
    await app.close();
  });
});
