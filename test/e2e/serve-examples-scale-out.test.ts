import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerPort, runCli, type CliRun } from '../support/cli-process.ts';
import { postgresUrl } from '../support/postgres.ts';
import { serviceUrl } from '../support/services.ts';

// Issue 5, "the same three examples run as N instances": each example's spec, unchanged, served by
// `archspec serve --instances 2` on the full scale-out set (PostgreSQL, Redis, NATS JetStream), and
// one journey per example through it: accounts, roles, a custom handler, a cached read, an event
// relayed through JetStream (and, for Linkly, consumed into a record).

const redis = await serviceUrl('redis');
const nats = await serviceUrl('nats');
const ready = Boolean(redis.url && nats.url);

const PASSWORD = 'correct horse battery staple';
const key32 = () => Buffer.from(randomUUID().replace(/-/g, '')).toString('base64');

interface Answer { status: number; headers: Headers; body: any }

interface Running {
  base: string;
  cli: CliRun;
  database: { url: string; stop(): Promise<void> };
  call(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<Answer>;
  /** Signs up, optionally sets the role in the database, logs in. */
  account(email: string, options?: { role?: string; fields?: Record<string, unknown> }): Promise<{ id: string; token: string }>;
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
}

/** Starts `example`; `started` gets it as soon as its processes exist, so afterAll stops it even when it never gets ready. */
async function start(example: string, basePath: string, dataDir: string, started: (r: Running) => void): Promise<Running> {
  const database = await postgresUrl();
  const cli = runCli(['serve', `examples/${example}/archspec.yaml`, '--instances', '2', '--port', '0'], {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url!,
    ARCHSPEC_REDIS_PREFIX: `scale-${example}-${randomUUID()}:`,
    NATS_URL: nats.url!,
    ARCHSPEC_DATA_DIR: dataDir,
    ARCHSPEC_JWT_SECRET: 'scale-out-examples-secret-long-enough-0123456789',
    ARCHSPEC_KEY: key32(),
    TILLPOINT_DATA_KEY: key32(),
    CAREBRIDGE_PHI_KEY: key32(),
    PROCESSOR_WEBHOOK_SECRET: 'scale-out-webhook-secret',
  });
  let origin = '';
  const call: Running['call'] = async (method, path, options = {}) => {
    const response = await fetch(`${origin}${basePath}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: response.status, headers: response.headers, body };
  };
  const query: Running['query'] = async (text, values) => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  const account: Running['account'] = async (email, options = {}) => {
    const created = await call('POST', '/users', { body: { email, password: PASSWORD, ...(options.fields ?? {}) } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = String(created.body.id);
    if (options.role) await query('update "User" set role = $1 where id = $2', [options.role, id]);
    const login = await call('POST', '/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    return { id, token: String(login.body.accessToken) };
  };
  const running: Running = { base: origin, cli, database, call, account, query };
  started(running);
  origin = `http://127.0.0.1:${await bannerPort(cli, 120_000)}`;
  running.base = origin;
  return running;
}

async function stop(running: Running | undefined): Promise<void> {
  if (!running) return;
  running.cli.child.kill('SIGTERM');
  const code = await Promise.race([running.cli.exit, new Promise((resolve) => setTimeout(() => resolve('hung'), 20_000))]);
  if (code === 'hung') running.cli.child.kill('SIGKILL');
  await running.database.stop();
}

async function eventually(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !(await check());) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Outbox rows by event name that the relay has published (to JetStream). */
async function published(running: Running, event: string): Promise<number> {
  const rows = await running.query<{ n: string }>('select count(*) as n from _archspec_outbox where event = $1 and "publishedAt" is not null', [event]);
  return Number(rows[0]!.n);
}

describe.skipIf(!ready)(`the three examples as 2 instances on PostgreSQL, Redis and NATS (${redis.reason}; ${nats.reason})`, () => {
  let dir: string;
  const servers: Record<string, Running> = {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-scale-examples-'));
    // Started together: each supervisor's workers take a few seconds to start on a busy machine.
    const examples: [string, string][] = [['linkly', '/api'], ['payments', '/api/v1'], ['telehealth', '/api/v1']];
    const started = await Promise.allSettled(examples.map(([name, basePath]) => start(name, basePath, join(dir, name), (r) => { servers[name] = r; })));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }, 150_000);
  afterAll(async () => {
    await Promise.all(Object.values(servers).map(stop));
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('linkly: shortens a link, redirects through either instance, and counts the visit through JetStream', async () => {
    const s = servers.linkly!;
    expect(s.cli.stderr()).toContain('2 instances');
    const ann = await s.account('ann@example.com');
    const link = await s.call('POST', '/links', { token: ann.token, body: { target: 'https://example.com/scaled' } });
    expect(link.status).toBe(201);
    for (let i = 0; i < 4; i++) {
      const hop = await s.call('GET', `/r/${link.body.code}`);
      expect([hop.status, hop.headers.get('location')]).toEqual([302, 'https://example.com/scaled']);
    }
    await eventually('four visits recorded by the analytics consumer', async () => {
      const rows = await s.query<{ n: string }>('select count(*) as n from "Visit" where link = $1', [link.body.code]);
      return Number(rows[0]!.n) === 4;
    });
    expect(await published(s, 'link.visited')).toBe(4);
  });

  it('payments: an admin stocks the catalogue, a shopper places an order priced by the handler, order.placed goes out', async () => {
    const s = servers.payments!;
    const admin = await s.account('admin@example.com', { role: 'admin', fields: { name: 'Ada' } });
    const shopper = await s.account('shopper@example.com', { fields: { name: 'Sam' } });
    const product = await s.call('POST', '/products', { token: admin.token, body: { sku: 'MUG-1', name: 'Mug', unitPrice: '12.50', currency: 'EUR' } });
    expect(product.status, JSON.stringify(product.body)).toBe(201);
    const order = await s.call('POST', '/orders', { token: shopper.token, body: { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product: product.body.id, quantity: 2 }] } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body).toMatchObject({ customer: shopper.id, total: '25.00' });
    const mine = await s.call('GET', '/orders', { token: shopper.token });
    expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([order.body.id]);
    expect((await s.call('GET', '/users', { token: shopper.token })).status).toBe(403);
    await eventually('order.placed published', async () => (await published(s, 'order.placed')) === 1);
  });

  it('telehealth: a patient signs up and exports their data through the custom handler', async () => {
    const s = servers.telehealth!;
    const patient = await s.account('pat@example.com', { fields: { name: 'Pat' } });
    const exported = await s.call('GET', '/me/export', { token: patient.token });
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    expect(exported.body).toMatchObject({ account: { email: 'pat@example.com', name: 'Pat' } });
    // The field key encrypts at rest: the email is not in the database in clear.
    const raw = await s.query<{ email: string }>('select email from "User" where id = $1', [patient.id]);
    expect(raw[0]!.email).not.toContain('pat@example.com');
  });
});
