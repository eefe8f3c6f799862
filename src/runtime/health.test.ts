import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { registerHealth, type HealthChecks, type HealthOptions } from './health.ts';

async function appWith(checks: HealthChecks, options?: HealthOptions) {
  const app = Fastify();
  registerHealth(app, checks, options);
  await app.ready();
  return app;
}

const healthy: HealthChecks = { ping: async () => {}, isMigrated: async () => true };

describe('registerHealth', () => {
  it('answers liveness with 200 even when the database is down', async () => {
    const app = await appWith({ ping: async () => { throw new Error('ECONNREFUSED db:5432'); }, isMigrated: async () => true });
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('is ready when the database answers and the schema is migrated', async () => {
    const res = await (await appWith(healthy)).inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { database: { status: 'ok' }, migrations: { status: 'ok' } } });
  });

  it('answers 503 problem+json with Retry-After and per-check detail when the database is down, without the error text', async () => {
    const app = await appWith({ ping: async () => { throw new Error('ECONNREFUSED db.internal:5432'); }, isMigrated: async () => true });
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({
      status: 503, code: 'service_unavailable', instance: '/readyz',
      checks: { database: { status: 'fail' }, migrations: { status: 'skipped' } },
    });
    expect(res.body).not.toContain('db.internal');
  });

  it('is not ready while migrations are pending', async () => {
    const res = await (await appWith({ ping: async () => {}, isMigrated: async () => false })).inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual({ database: { status: 'ok' }, migrations: { status: 'fail', detail: expect.stringContaining('archspec migrate') } });
  });

  it('fails a check that does not answer within the timeout', async () => {
    const app = await appWith({ ping: () => new Promise(() => {}), isMigrated: async () => true }, { timeoutMs: 20 });
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.database).toEqual({ status: 'fail', detail: 'no answer within 20 ms' });
  });

  it('shows each integration\'s breaker, and stays ready while one is open', async () => {
    const app = await appWith(healthy, {
      integrations: () => [
        { integration: 'safebrowsing', state: 'open', fallback: 'allow' },
        { integration: 'geoip', state: 'closed', fallback: 'allow' },
        { integration: 'payments', state: 'half-open', fallback: 'error' },
        { integration: 'mailer', state: 'none' },
      ],
    });
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json().checks.integrations).toEqual({
      status: 'ok', detail: 'safebrowsing: open (fallback allow); geoip: closed; payments: half-open (fallback error); mailer: no breaker',
    });
  });

  it('has no integrations check when there are none', async () => {
    const res = await (await appWith(healthy, { integrations: () => [] })).inject('/readyz');
    expect(res.json().checks).toEqual({ database: { status: 'ok' }, migrations: { status: 'ok' } });
  });

  it('is not ready while draining for shutdown', async () => {
    let draining = false;
    const app = await appWith(healthy, { draining: () => draining });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    draining = true;
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.shutdown).toEqual({ status: 'fail', detail: 'the server is shutting down' });
  });
});
