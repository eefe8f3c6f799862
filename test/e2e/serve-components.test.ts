import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import { startComponent, startComponents, stopComponents, until, waitForBanner, type ComponentProcess } from '../support/component-processes.ts';

// Linkly as three processes on one SQLite file: `serve --component gateway`, `links` and `analytics`.
// Everything goes through the gateway; which process did what is read from each one's JSON log.

const JWT_SECRET = 'components-e2e-secret-that-is-long-enough-0123456789';
const FIELD_KEY = 'e2e:ZTJlIGZpZWxkIGVuY3J5cHRpb24ga2V5IDMyIGIhISE=';
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

interface Answer { status: number; headers: Headers; body: any }

describe('archspec serve --component: linkly as gateway, links and analytics', () => {
  let dir: string;
  let spec: string;
  let env: Record<string, string>;
  let sink: Server;
  let processes: Map<string, ComponentProcess>;
  let gateway: ComponentProcess;
  let links: ComponentProcess;
  let analytics: ComponentProcess;
  let token: string;
  let code: string;

  const call = async (method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`http://127.0.0.1:${gateway.port}/api${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), redirect: 'manual' });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  /** The request-completed line of `requestId` in a process's log. */
  const completed = (p: ComponentProcess, requestId: string) => p.lines().find((l) => l.reqId === requestId && l.msg === 'request completed');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-components-'));
    cpSync('examples/linkly', join(dir, 'linkly'), { recursive: true, filter: (source) => !source.endsWith('.data') });
    spec = join(dir, 'linkly', 'archspec.yaml');
    // Tracing on in every process: spans go to this sink, which accepts and drops them.
    sink = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')); });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    env = {
      ARCHSPEC_DATA_DIR: join(dir, 'data'), ARCHSPEC_JWT_SECRET: JWT_SECRET, ARCHSPEC_KEY: FIELD_KEY, REDIS_URL: '', NATS_URL: '', DATABASE_URL: '',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
    };
    // The gateway believes the proxy in front of it (a load balancer on this machine), as it would in production.
    processes = await startComponents(spec, ['gateway', 'links', 'analytics'], env, (name): Record<string, string> => (name === 'gateway' ? { TRUST_PROXY: '127.0.0.1' } : {}));
    gateway = processes.get('gateway')!;
    links = processes.get('links')!;
    analytics = processes.get('analytics')!;
  }, 120_000);

  afterAll(async () => {
    if (processes) await stopComponents(new Map([...processes, ['links', links]]));
    await new Promise((resolve) => sink?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown component and a malformed or missing service address in one line, exit 2', async () => {
    const runs = [
      runCli(['serve', spec, '--component', 'link', '--port', '0'], env),
      runCli(['serve', spec, '--component', 'gateway', '--port', '0'], { ...env, ARCHSPEC_SERVICE_LINKS_URL: 'http://links:3000/api' }),
      runCli(['serve', spec, '--component', 'gateway', '--port', '0'], env),
    ];
    expect(await Promise.all(runs.map((r) => r.exit))).toEqual([2, 2, 2]);
    expect(runs[0]!.stderr()).toContain('the spec has no component "link"; its components are gateway, links, analytics');
    expect(runs[1]!.stderr()).toContain('ARCHSPEC_SERVICE_LINKS_URL must be an origin only');
    expect(runs[2]!.stderr()).toContain('ARCHSPEC_SERVICE_LINKS_URL is not set');
    for (const r of runs) {
      expect(r.stderr()).not.toMatch(/\n\s+at /);
      expect(r.stderr()).not.toContain('is running');
    }
  }, 60_000);

  it('says in each banner what the process serves, and where the gateway forwards', () => {
    expect(gateway.run.stderr()).toContain('  component    gateway (gateway): 1 endpoint, 0 consumers');
    expect(gateway.run.stderr()).toContain(`  forwards     links -> http://127.0.0.1:${links.port} (10 endpoints, auth routes, personal-data routes)`);
    expect(links.run.stderr()).toContain('  component    links (service): 10 endpoints, auth routes, personal-data routes, 0 consumers');
    expect(links.run.stderr()).toContain('X-Forwarded-For from a proxy at a loopback or private address, the gateway');
    expect(analytics.run.stderr()).toContain('  component    analytics (worker): no endpoints, 1 consumer (link.visited)');
    expect(analytics.run.stderr()).not.toContain('  API ');
  });

  it('signs up, logs in, shortens, lists and redirects through the gateway; the links process serves it', async () => {
    const account = { email: 'split@example.com', password: 'a long enough password' };
    expect((await call('POST', '/users', { body: account })).status).toBe(201);
    const login = await call('POST', '/auth/login', { body: account });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    token = login.body.accessToken;
    const created = await call('POST', '/links', { token, body: { target: 'https://example.com/split' }, headers: { 'x-request-id': 'create-1', 'x-forwarded-for': '198.51.100.23', 'idempotency-key': 'create-1' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    code = created.body.code;
    expect(created.headers.get('location')).toBe(`/api/links/${code}`);
    const list = await call('GET', '/links', { token });
    expect(list.body.items.map((l: { code: string }) => l.code)).toEqual([code]);
    const visit = await call('GET', `/r/${code}`, { headers: { 'x-request-id': 'visit-1', traceparent: `00-${CLIENT_TRACE}-00f067aa0ba902b7-01` } });
    expect(visit.status).toBe(302);
    expect(visit.headers.get('location')).toBe('https://example.com/split');

    await until(() => completed(links, 'create-1') !== undefined && completed(gateway, 'create-1') !== undefined, () => links.stdout());
    const atLinks = completed(links, 'create-1')!;
    expect(atLinks).toMatchObject({ component: 'links', res: { statusCode: 201 } });
    // The gateway behind one trusted proxy takes the client from X-Forwarded-For and vouches for it; links trusts the gateway.
    expect(atLinks.req.remoteAddress).toBe('198.51.100.23');
    expect(completed(gateway, 'create-1')).toMatchObject({ component: 'gateway', res: { statusCode: 201 } });
  });

  it('carries the trace context: the gateway\'s trace id is the one links logs for the same request', async () => {
    // Log lines are written asynchronously: wait for both processes' lines of the request.
    await until(() => completed(gateway, 'create-1') !== undefined && completed(links, 'create-1') !== undefined, () => gateway.stdout() + links.stdout());
    const atGateway = completed(gateway, 'create-1')!;
    expect(atGateway.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(completed(links, 'create-1')!.traceId).toBe(atGateway.traceId);
    // A client's own traceparent: both processes continue that trace.
    await until(() => completed(links, 'visit-1') !== undefined && completed(gateway, 'visit-1') !== undefined, () => gateway.stdout() + links.stdout());
    expect(completed(gateway, 'visit-1')!.traceId).toBe(CLIENT_TRACE);
    expect(completed(links, 'visit-1')!.traceId).toBe(CLIENT_TRACE);
  });

  it('delivers link.visited in the analytics process, not in links: the visit appears', async () => {
    await until(async () => (await call('GET', `/links/${code}/visits`, { token })).body.items?.length === 1, () => analytics.stdout());
    // Log lines are written asynchronously: wait for the delivery's.
    await until(() => analytics.lines().some((l) => l.msg === 'event delivered'), () => analytics.stdout());
    const delivered = analytics.lines().filter((l) => l.msg === 'event delivered');
    expect(delivered).toEqual([expect.objectContaining({ component: 'analytics', consumer: 'analytics', event: 'link.visited' })]);
    expect(links.lines().filter((l) => l.msg === 'event delivered')).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${analytics.port}/metrics`)).text();
    expect(metrics).toMatch(/archspec_event_deliveries_total\{consumer="analytics",outcome="delivered"\} 1/);
  });

  it('refuses a bad token at the gateway: the links process never sees the request', async () => {
    const r = await call('GET', '/links', { token: 'not-a-token', headers: { 'x-request-id': 'bad-token-1' } });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: 'invalid_token' });
    await until(() => completed(gateway, 'bad-token-1') !== undefined, () => gateway.stdout());
    expect(links.stdout()).not.toContain('bad-token-1');
  });

  it('answers 503 naming links, not its address, while links is down, and serves again once it is back', async () => {
    links.run.child.kill('SIGTERM');
    expect(await links.run.exit).toBe(0);
    const down = await call('GET', '/links', { token });
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(down.body).toMatchObject({ code: 'service_unavailable', detail: expect.stringContaining('links') });
    expect(JSON.stringify(down.body)).not.toContain(String(links.port));
    // The gateway stays ready: other routes (its own, other services) still work.
    expect((await fetch(`http://127.0.0.1:${gateway.port}/readyz`)).status).toBe(200);

    links = startComponent(spec, 'links', links.port, env);
    await waitForBanner(links);
    const back = await call('GET', '/links', { token });
    expect(back.status).toBe(200);
    expect(back.body.items.map((l: { code: string }) => l.code)).toEqual([code]);
  }, 90_000);
});
