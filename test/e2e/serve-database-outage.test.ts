import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUrl } from '../support/postgres.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { deliveryRows, outboxRows } from './outbox-rows.ts';
import { ENGINES, serve, type Answer, type Served } from './serve-harness.ts';

/**
 * The database goes away while the server runs, then comes back (docs/commands/serve.md, "When the
 * database is down"): /readyz fails with Retry-After, every request that needs the database
 * answers 503 problem+json `service_unavailable` with Retry-After (never a 500, never a hang),
 * /healthz stays 200, and once the database answers again the same process serves reads and writes
 * without a restart.
 *
 * PostgreSQL only: the server reaches it through a TCP proxy that the test takes down (every
 * connection dropped, new ones refused) and brings back, so the shared server never stops. SQLite
 * is a file the process holds open; it cannot go away the same way, so there is no SQLite case.
 */

const run = ENGINES.includes('postgres');

/** Longest an answer may take during the outage (connect refusals fail fast; this catches hangs). */
const ANSWER_WITHIN_MS = 4000;

async function timed(s: Served, method: string, path: string, options: Parameters<Served['call']>[2] = {}): Promise<Answer> {
  const started = Date.now();
  const answer = await s.call(method, path, options);
  expect(Date.now() - started, `${method} ${path} took too long`).toBeLessThan(ANSWER_WITHIN_MS);
  return answer;
}

function expectUnavailable(answer: Answer, what: string): void {
  expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(503);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body.code).toBe('service_unavailable');
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  // The detail names no host, port or credentials.
  expect(JSON.stringify(answer.body)).not.toMatch(/127\.0\.0\.1|5432|postgres:\/\/|password/i);
}

/** Polls `fn` until it returns true or `ms` pass. */
async function eventually(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe.skipIf(!run)('serve (postgres): the database goes down and comes back', () => {
  let database: { url: string; stop(): Promise<void> };
  let proxy: TcpProxy;
  let s: Served;
  let token: string;

  beforeAll(async () => {
    database = await postgresUrl();
    proxy = await TcpProxy.for(database.url, 5432).up();
    s = await serve('linkly', 'postgres', { databaseUrl: proxy.rewrite(database.url), events: { pollIntervalMs: 100 } });
    ({ token } = await s.account('outage@example.com'));
  });

  afterAll(async () => {
    await proxy?.up().catch(() => {});
    await s?.close();
    await proxy?.down();
    await database?.stop();
  });

  it('is healthy before the outage', async () => {
    expect((await s.call('GET', '/readyz', { root: true })).status).toBe(200);
    expect((await s.call('POST', '/links', { token, body: { target: 'https://example.com/before' } })).status).toBe(201);
  });

  it('answers 503 with Retry-After while the database is unreachable, and stays live', async () => {
    await proxy.down();

    const ready = await timed(s, 'GET', '/readyz', { root: true });
    expectUnavailable(ready, 'GET /readyz');
    expect(ready.body.checks.database.status).toBe('fail');

    expectUnavailable(await timed(s, 'GET', '/links', { token }), 'GET /links');
    expectUnavailable(await timed(s, 'POST', '/links', { token, body: { target: 'https://example.com/during' } }), 'POST /links');
    // Twice: the second request meets a pool with no connections left at all.
    expectUnavailable(await timed(s, 'GET', '/links', { token }), 'GET /links again');
    expectUnavailable(await timed(s, 'POST', '/users', { body: { email: 'during@example.com', password: 'correct horse battery staple' } }), 'POST /users');

    expect((await timed(s, 'GET', '/healthz', { root: true })).status).toBe(200);
  });

  it('serves reads and writes again once the database is back, without a restart', async () => {
    await proxy.up();
    expect(await eventually(async () => (await s.call('GET', '/readyz', { root: true })).status === 200, 5000)).toBe(true);

    const created = await s.call('POST', '/links', { token, body: { target: 'https://example.com/after' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const listed = await s.call('GET', '/links', { token });
    expect(listed.status).toBe(200);
    const targets = (listed.body.items ?? listed.body).map((l: { target: string }) => l.target);
    expect(targets).toEqual(expect.arrayContaining(['https://example.com/before', 'https://example.com/after']));
  });

  it('keeps the event relay and dispatcher running through the outage', async () => {
    // They polled every 100 ms against the dead database; an event emitted now is still delivered.
    const code = String((await s.call('POST', '/links', { token, body: { target: 'https://example.com/visited' } })).body.code);
    expect((await s.call('GET', `/r/${code}`)).status).toBe(302);
    const delivered = async () => {
      const event = (await outboxRows(s.storage)).find((e) => e.name === 'link.visited' && e.payload.link === code);
      return !!event && (await deliveryRows(s.storage)).some((d) => d.eventId === event.id && d.status === 'done');
    };
    expect(await eventually(delivered, 5000)).toBe(true);
  });
});
