import { describe, expect, it } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import Fastify from 'fastify';
import { OutageLog } from './outage-log.ts';
import { problemErrorHandler, STORAGE_RETRY_AFTER_SECONDS, toApiError } from './problem-response.ts';
import { StorageUnavailableError } from '../adapters/storage/storage.ts';

const down = () => new StorageUnavailableError('PostgreSQL at db.internal:5432 is unreachable: Connection terminated unexpectedly');

describe('toApiError for an unreachable database', () => {
  it('is a 503 service_unavailable with Retry-After and a detail naming no host', () => {
    for (const error of [down(), new Error('while reading Link 3', { cause: down() })]) {
      const problem = toApiError(error)!;
      expect(problem.status).toBe(503);
      expect(problem.code).toBe('service_unavailable');
      expect(problem.extra.retryAfterSeconds).toBe(STORAGE_RETRY_AFTER_SECONDS);
      expect(problem.detail).toBe('the database is unreachable; retry shortly');
    }
  });

  it('answers over HTTP as problem+json and logs the outage once, not per request', async () => {
    const lines: { level: number; msg: string }[] = [];
    const app = Fastify({ logger: { level: 'info', stream: { write: (l: string) => lines.push(JSON.parse(l)) } } });
    app.setErrorHandler(problemErrorHandler);
    app.get('/x', async () => { throw down(); });
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({ method: 'GET', url: '/x' });
      expect(r.statusCode).toBe(503);
      expect(r.headers['retry-after']).toBe(String(STORAGE_RETRY_AFTER_SECONDS));
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body).not.toMatch(/db\.internal|5432/);
    }
    expect(lines.filter((l) => /unreachable/.test(l.msg))).toHaveLength(1);
    await app.close();
  });
});

describe('OutageLog', () => {
  function recorder(): { log: FastifyBaseLogger; lines: string[] } {
    const lines: string[] = [];
    const log = { warn: (_o: unknown, m: string) => lines.push(`warn ${m}`), info: (_o: unknown, m: string) => lines.push(`info ${m}`) } as unknown as FastifyBaseLogger;
    return { log, lines };
  }

  it('logs the start, a summary per interval, and the recovery', () => {
    let now = 0;
    const outage = new OutageLog('the database', 1000, () => now);
    const { log, lines } = recorder();
    outage.ok(log);
    outage.failed(log, down());
    now = 500; outage.failed(log, down());
    now = 900; outage.failed(log, down());
    now = 1000; outage.failed(log, down());
    expect(outage.failing).toBe(true);
    outage.ok(log);
    expect(outage.failing).toBe(false);
    expect(lines).toEqual([
      'warn the database is unreachable; answering 503 with Retry-After until it is back',
      'warn the database is still unreachable (3 more failure(s) since the last report)',
      'info the database answers again after 4 failure(s)',
    ]);
  });

  it('starts a new outage after a quiet spell when nothing reported the recovery', () => {
    let now = 0;
    const outage = new OutageLog('the database', 1000, () => now);
    const { log, lines } = recorder();
    outage.failed(log, down());
    now = 5000; outage.failed(log, down());
    expect(lines.filter((l) => l.includes('is unreachable'))).toHaveLength(2);
  });
});
