import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComponents, stopComponents, until, type ComponentProcess } from '../support/component-processes.ts';
import { postgresUrl } from '../support/postgres.ts';

// The other two examples as separate component processes, every component of each started: one
// authenticated request per service through the gateway succeeds. Telehealth runs on PostgreSQL,
// payments on a SQLite file shared by its six processes.

const JWT_SECRET = 'components-e2e-secret-that-is-long-enough-0123456789';
const FIELD_KEY = 'e2e:ZTJlIGZpZWxkIGVuY3J5cHRpb24ga2V5IDMyIGIhISE=';
const WEBHOOK_SECRET = 'components-e2e-processor-webhook-secret';
const COMMON = { ARCHSPEC_JWT_SECRET: JWT_SECRET, REDIS_URL: '', NATS_URL: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' };

interface Answer { status: number; headers: Headers; body: any }

/** Calls the gateway's API under `basePath`. */
function caller(gateway: ComponentProcess, basePath: string) {
  return async (method: string, path: string, options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`http://127.0.0.1:${gateway.port}${basePath}${path}`, { method, headers, body });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
}

/** Signs up through the gateway and logs in; returns the access token. */
async function signIn(call: ReturnType<typeof caller>, email: string): Promise<string> {
  const account = { email, password: 'a long enough password', name: 'Sam' };
  const created = await call('POST', '/users', { body: account });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const login = await call('POST', '/auth/login', { body: { email, password: account.password } });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return login.body.accessToken;
}

/** The components whose logs have the completed line of `requestId` (waiting for `expected` of them to be written). */
async function servedBy(processes: Map<string, ComponentProcess>, requestId: string, expected: number): Promise<string[]> {
  const served = () => [...processes.values()].filter((p) => p.lines().some((l) => l.reqId === requestId && l.msg === 'request completed')).map((p) => p.name).sort();
  await until(() => served().length >= expected, () => `${requestId} in ${served().join(', ') || 'no log'}`);
  return served();
}

describe('archspec serve --component: telehealth on PostgreSQL', () => {
  let dir: string;
  let pg: { url: string; stop(): Promise<void> };
  let processes: Map<string, ComponentProcess>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-components-telehealth-'));
    cpSync('examples/telehealth', join(dir, 'telehealth'), { recursive: true, filter: (source) => !source.endsWith('.data') });
    pg = await postgresUrl();
    processes = await startComponents(join(dir, 'telehealth', 'archspec.yaml'), ['gateway', 'identity', 'scheduling', 'records', 'notifications'], {
      ...COMMON, DATABASE_URL: pg.url, CAREBRIDGE_PHI_KEY: FIELD_KEY, ARCHSPEC_DATA_DIR: join(dir, 'data'),
    });
  }, 120_000);

  afterAll(async () => {
    if (processes) await stopComponents(processes);
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a patient through the gateway from identity, scheduling and records', async () => {
    const gateway = processes.get('gateway')!;
    const call = caller(gateway, '/api/v1');
    expect(gateway.run.stderr()).toMatch(/forwards {5}identity -> .* \(\d+ endpoints, auth routes, personal-data routes\)/);
    expect(processes.get('notifications')!.run.stderr()).toContain('notifications (worker): no endpoints, 4 consumers');
    const token = await signIn(call, 'pat@example.com');
    for (const [path, service] of [['/me/export', 'identity'], ['/appointments', 'scheduling'], ['/prescriptions', 'records']] as const) {
      const r = await call('GET', path, { token, headers: { 'x-request-id': `th-${service}` } });
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(await servedBy(processes, `th-${service}`, 2)).toEqual([service, 'gateway'].sort());
    }
  });
});

describe('archspec serve --component: payments on SQLite', () => {
  let dir: string;
  let processes: Map<string, ComponentProcess>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-components-payments-'));
    cpSync('examples/payments', join(dir, 'payments'), { recursive: true, filter: (source) => !source.endsWith('.data') });
    // Only the payments service checks webhook signatures: the other processes start without the secret.
    processes = await startComponents(join(dir, 'payments', 'archspec.yaml'), ['gateway', 'orders', 'payments', 'settlement', 'ledger', 'notifications'], {
      ...COMMON, DATABASE_URL: '', TILLPOINT_DATA_KEY: FIELD_KEY, ARCHSPEC_DATA_DIR: join(dir, 'data'),
    }, (name): Record<string, string> => (name === 'payments' ? { PROCESSOR_WEBHOOK_SECRET: WEBHOOK_SECRET } : {}));
  }, 120_000);

  afterAll(async () => {
    if (processes) await stopComponents(processes);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a shopper through the gateway from orders and payments, and the gateway itself serves the ledger', async () => {
    const gateway = processes.get('gateway')!;
    const call = caller(gateway, '/api/v1');
    const token = await signIn(call, 'shopper@example.com');
    for (const [path, service] of [['/orders', 'orders'], ['/payments', 'payments']] as const) {
      const r = await call('GET', path, { token, headers: { 'x-request-id': `pay-${service}` } });
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(await servedBy(processes, `pay-${service}`, 2)).toEqual([service, 'gateway'].sort());
    }
    // The ledger is owned by a worker: the gateway reads it itself (a shopper is not allowed to).
    const ledger = await call('GET', '/ledger-entries', { token, headers: { 'x-request-id': 'pay-ledger' } });
    expect(ledger.status).toBe(403);
    expect(await servedBy(processes, 'pay-ledger', 1)).toEqual(['gateway']);
  });

  it('forwards a processor webhook\'s raw body, so its HMAC signature verifies at the payments service', async () => {
    const call = caller(processes.get('gateway')!, '/api/v1');
    const body = `{"id":"evt_1",  "type":"charge.refunded","created":${Math.floor(Date.now() / 1000)},"data":{"reference":"none","chargeId":"ch_1"}}`;
    const signature = createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex');
    const signed = await call('POST', '/webhooks/processor', { raw: body, headers: { 'x-processor-signature': signature, 'x-request-id': 'hook-1' } });
    expect(signed.status, JSON.stringify(signed.body)).toBe(204);
    expect(await servedBy(processes, 'hook-1', 2)).toEqual(['gateway', 'payments']);
    const forged = await call('POST', '/webhooks/processor', { raw: body, headers: { 'x-processor-signature': createHmac('sha256', 'another').update(body).digest('hex') } });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringContaining('X-Processor-Signature') });
  });
});
