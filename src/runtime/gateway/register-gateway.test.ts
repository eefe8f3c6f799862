import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.ts';
import type { Storage } from '../../adapters/storage/storage.ts';
import { createAuth } from '../auth/create-auth.ts';
import { signAccessToken, tokenIssuer } from '../auth/tokens.ts';
import { componentPlan } from '../components/component-plan.ts';
import { buildServer } from '../server.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { testFieldCipher } from '../test-support/test-field-cipher.ts';

// The gateway in process, in front of a stand-in for the links service that records what it receives
// and answers what each test sets: what is forwarded, what comes back, and what the edge refuses.

const SECRET = 'gateway-test-secret-that-is-long-enough-0123456789';

interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }
type Answer = (req: IncomingMessage, res: ServerResponse) => void;

describe('the gateway (serve --component gateway)', () => {
  let dir: string;
  let storage: Storage;
  let gateway: FastifyInstance;
  let upstream: Server;
  let base: string;
  let token: string;
  let received: Received[] = [];
  let answer: Answer = (_req, res) => res.end();

  beforeAll(async () => {
    const model = await exampleModel('linkly');
    dir = mkdtempSync(join(tmpdir(), 'archspec-gateway-'));
    storage = await createStorage(model, { engine: 'sqlite', url: join(dir, 'db.sqlite'), fieldCipher: testFieldCipher() });
    await storage.migrate();
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        answer(req, res);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const links = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gateway = await buildServer(model, {
      storage, auth: createAuth(model, storage, { jwtSecret: SECRET }), specDir: 'examples/linkly', logging: { level: 'silent' },
      env: { ...process.env, REDIS_URL: undefined, NATS_URL: undefined }, jobs: { schedule: false },
      component: { plan: componentPlan(model, 'gateway'), upstreams: new Map([['links', links]]), upstreamTimeoutMs: 500 },
    });
    await gateway.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
    const access = { key: new TextEncoder().encode(SECRET), issuer: tokenIssuer(model), ttlMs: 60_000, now: () => new Date() };
    token = await signAccessToken(access, 'user-1', ['user'], 'session-1');
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => upstream?.close(resolve));
    await storage?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    received = [];
    answer = (_req, res) => res.end();
  });

  it('forwards method, path, query, the raw body bytes and the caller\'s headers, and vouches for the client address', async () => {
    answer = (_req, res) => { res.writeHead(201, { 'content-type': 'application/json', location: '/api/links/abc', etag: 'W/"1"' }); res.end('{"code":"abc"}'); };
    // Spacing and key order a JSON round trip would change: a signature over these bytes must still verify.
    const raw = '{ "target" :"https://example.com/ü",  "title":null }';
    const r = await fetch(`${base}/api/links?dry=1`, {
      method: 'POST', body: raw,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8', 'idempotency-key': 'key-1', 'x-request-id': 'req-forward-1', 'x-forwarded-for': '10.6.6.6' },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('/api/links/abc');
    expect(r.headers.get('etag')).toBe('W/"1"');
    expect(await r.json()).toEqual({ code: 'abc' });
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got).toMatchObject({ method: 'POST', url: '/api/links?dry=1' });
    expect(got!.body.equals(Buffer.from(raw, 'utf8'))).toBe(true);
    expect(got!.headers).toMatchObject({
      authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8', 'idempotency-key': 'key-1',
      'x-request-id': 'req-forward-1', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http',
    });
    expect(got!.headers['x-forwarded-host']).toBe(new URL(base).host);
  });

  it('passes a service\'s problem answer through unchanged, headers included, without retrying it', async () => {
    const problem = { type: 'https://archspec.dev/problems/too_many_requests', title: 'Too many requests', status: 429, code: 'too_many_requests', detail: 'POST /links allows 60/min per caller; retry in 7 s.' };
    answer = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/problem+json; charset=utf-8', 'retry-after': '7', 'ratelimit-limit': '60', 'ratelimit-remaining': '0', 'ratelimit-reset': '7', 'idempotent-replayed': 'true' });
      res.end(JSON.stringify(problem));
    };
    const r = await fetch(`${base}/api/links`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(429);
    expect(r.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    for (const [name, value] of [['retry-after', '7'], ['ratelimit-limit', '60'], ['ratelimit-remaining', '0'], ['ratelimit-reset', '7'], ['idempotent-replayed', 'true']]) {
      expect(r.headers.get(name!), name).toBe(value);
    }
    expect(await r.json()).toEqual(problem);

    // A GET answered 503 by the service (its database is down) reaches the caller once, not after retries.
    answer = (_req, res) => { res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '5' }); res.end('{"code":"service_unavailable"}'); };
    received = [];
    const down = await fetch(`${base}/api/links`, { headers: { authorization: `Bearer ${token}` } });
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ code: 'service_unavailable' });
    expect(received).toHaveLength(1);
  });

  it('refuses a bad token and an anonymous call to a non-public endpoint at the edge', async () => {
    const bad = await fetch(`${base}/api/links`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'invalid_token' });
    const anonymous = await fetch(`${base}/api/links`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'unauthenticated' });
    // A role the endpoint does not admit: 403, as the service would answer.
    const stranger = await signAccessToken({ key: new TextEncoder().encode(SECRET), issuer: tokenIssuer(await exampleModel('linkly')), ttlMs: 60_000, now: () => new Date() }, 'user-2', ['visitor'], 's-2');
    expect((await fetch(`${base}/api/links`, { headers: { authorization: `Bearer ${stranger}` } })).status).toBe(403);
    // Routes no service serves are answered by the gateway as the monolith would.
    const wrongMethod = await fetch(`${base}/api/links`, { method: 'PUT', headers: { authorization: `Bearer ${token}` } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
    expect((await fetch(`${base}/api/nothing-here`)).status).toBe(404);
    expect(received).toEqual([]);
  });

  it('forwards public endpoints without a token, and the login route even with a stale one (it authenticates by its body)', async () => {
    answer = (_req, res) => { res.writeHead(302, { location: 'https://example.com/' }); res.end(); };
    const visit = await fetch(`${base}/api/r/abc`, { redirect: 'manual' });
    expect(visit.status).toBe(302);
    expect(visit.headers.get('location')).toBe('https://example.com/');
    answer = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"accessToken":"t"}'); };
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { authorization: 'Bearer expired', 'content-type': 'application/json' }, body: '{"email":"a@b.c","password":"p"}' });
    expect(login.status).toBe(200);
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/r/abc', 'POST /api/auth/login']);
    expect(received[1]!.headers.authorization).toBe('Bearer expired');
  });

  it('answers 503 naming the service, never its address, when the service does not answer in time', async () => {
    answer = () => {}; // never answers: the gateway's 500 ms timeout ends the wait
    const r = await fetch(`${base}/api/links`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = await r.json() as { code: string; detail: string };
    expect(body.code).toBe('service_unavailable');
    expect(body.detail).toContain('links');
    expect(body.detail).not.toContain('127.0.0.1');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/archspec_gateway_upstream_requests_total\{service="links",outcome="unavailable"\} [1-9]/);
    expect(metrics).toMatch(/archspec_gateway_upstream_requests_total\{service="links",outcome="2xx"\} [1-9]/);
  });

  it('refuses a service whose TLS certificate does not verify (reply-from would accept it by default)', async () => {
    const model = await exampleModel('linkly');
    // A self-signed certificate for 127.0.0.1, made now (Debian's ca-certificates brings openssl).
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    let reached = 0;
    const secure = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => { reached++; res.end('{}'); });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const strict = await buildServer(model, {
      storage, auth: createAuth(model, storage, { jwtSecret: SECRET }), specDir: 'examples/linkly', logging: { level: 'silent' },
      env: { ...process.env, REDIS_URL: undefined, NATS_URL: undefined }, jobs: { schedule: false },
      component: { plan: componentPlan(model, 'gateway'), upstreams: new Map([['links', `https://127.0.0.1:${(secure.address() as AddressInfo).port}`]]) },
    });
    try {
      const r = await strict.inject({ method: 'GET', url: '/api/links', headers: { authorization: `Bearer ${token}` } });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ code: 'service_unavailable', detail: 'the links service cannot be reached; try again shortly' });
      expect(reached).toBe(0);
    } finally {
      await strict.close();
      await new Promise((resolve) => secure.close(resolve));
    }
  });

  it('serves its own routes: readiness without the services, the whole API\'s OpenAPI, and reads no service owns', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const doc = await (await fetch(`${base}/openapi.json`)).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/links', '/r/{code}', '/auth/login', '/privacy/export', '/links/{link}/visits']));
    const owner = await storage.insert('User', { email: 'owner@example.com' });
    const link = await storage.insert('Link', { target: 'https://example.com/', owner: owner.id });
    await storage.insert('Visit', { link: link.code, country: 'DE', at: new Date().toISOString() });
    const admin = await signAccessToken({ key: new TextEncoder().encode(SECRET), issuer: tokenIssuer(await exampleModel('linkly')), ttlMs: 60_000, now: () => new Date() }, 'admin-1', ['admin'], 's-3');
    const visits = await fetch(`${base}/api/links/${String(link.code)}/visits`, { headers: { authorization: `Bearer ${admin}` } });
    expect(visits.status).toBe(200);
    expect(await visits.json()).toMatchObject({ items: [{ link: link.code, country: 'DE' }] });
    expect(received).toEqual([]);
  });
});
