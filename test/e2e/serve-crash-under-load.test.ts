import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerPort, runCli, type CliRun } from '../support/cli-process.ts';
import { postgresUrl } from '../support/postgres.ts';
import { serviceUrl } from '../support/services.ts';

// Issue 5, fault 4: an instance killed with SIGKILL under write load. `archspec serve --instances 2`
// on PostgreSQL (and the local Redis when there is one) takes a stream of link creations, each
// with its own Idempotency-Key, from concurrent clients that retry like a careful client does:
// on a connection error, a 5xx or a 409 "in flight", the same request with the same key again.
// One worker is SIGKILLed in the middle. Afterwards, read straight from the database:
// - every creation that was answered 2xx is there;
// - no key was applied twice (one link per key at most), although requests were cut mid-flight;
// - every key ends resolved: created, or reported as applied with its answer lost.

const CLIENTS = 12;
/** Creations answered before the kill, and after it, before the load stops (counts, not times: CI machines are slow and busy). */
const BEFORE_KILL = 12;
const AFTER_KILL = 24;
const TAKEOVER = '2s';

interface Answer { status: number; body: any }

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(port: number, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface KeyOutcome { key: string; target: string; answer: 'created' | 'answer-lost'; code?: string; attempts: number }

describe('archspec serve --instances 2: a worker SIGKILLed under write load (PostgreSQL)', () => {
  let dir: string;
  let spec: string;
  let database: { url: string; stop(): Promise<void> };
  let redis: { url?: string };
  beforeAll(async () => {
    database = await postgresUrl();
    redis = await serviceUrl('redis').catch(() => ({}));
    dir = mkdtempSync(join(tmpdir(), 'archspec-crash-'));
    cpSync('examples/linkly', join(dir, 'linkly'), { recursive: true });
    spec = join(dir, 'linkly', 'archspec.yaml');
    // The load is one user creating far more than 60 links a minute: the limiter still runs, it never refuses.
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('rateLimit: 60/min, idempotent: true,', 'rateLimit: 1000000/min, idempotent: true,'));
  }, 60_000);
  afterAll(async () => {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
    await database?.stop();
  });

  it('keeps every write answered 2xx and applies no idempotent write twice', async () => {
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      ARCHSPEC_JWT_SECRET: 'crash-test-secret-that-is-long-enough-0123456789',
      ARCHSPEC_KEY: Buffer.alloc(32, 7).toString('base64'),
      ARCHSPEC_IDEMPOTENCY_TAKEOVER: TAKEOVER,
      ARCHSPEC_DATA_DIR: join(dir, 'data'),
      REDIS_URL: redis.url ?? '',
      ARCHSPEC_REDIS_PREFIX: `crash-${randomUUID()}:`,
    };
    const r: CliRun = runCli(['serve', spec, '--instances', '2', '--port', '0'], env);
    try {
      const port = await bannerPort(r);
      const trace = (m: string) => { if (process.env.CRASH_DEBUG) process.stderr.write(`[crash-test ${Date.now() - t0} ms] ${m}\n`); };
      const t0 = Date.now();
      trace(`banner port ${port}`);
      const pids = /instances {4}2 \(pids (\d+), (\d+)\)/.exec(r.stderr())!.slice(1).map(Number);
      const account = { email: 'load@example.com', password: 'a long enough password' };
      expect((await call(port, 'POST', '/api/users', account)).status).toBe(201);
      const login = await call(port, 'POST', '/api/auth/login', account);
      expect(login.status).toBe(200);
      const auth = { authorization: `Bearer ${login.body.accessToken as string}` };

      const outcomes: KeyOutcome[] = [];
      const unexpected: string[] = [];
      let cut = 0;
      const started = Date.now();
      let killedAt: number | undefined;
      const loadGoesOn = () => killedAt === undefined || outcomes.length - killedAt < AFTER_KILL;
      /** One client: new keys while the load goes on; each key retried until it is resolved. */
      const client = async () => {
        while (loadGoesOn()) {
          if (Date.now() - started > 60_000) throw new Error(`load did not finish: ${outcomes.length} outcomes, killed after ${killedAt}`);
          const key = randomUUID();
          const target = `https://example.com/load/${key}`;
          for (let attempts = 1; ; attempts++) {
            if (Date.now() - started > 75_000) throw new Error(`key ${key} unresolved after ${attempts} attempts`);
            let answer: Answer;
            try {
              answer = await call(port, 'POST', '/api/links', { target }, { ...auth, 'idempotency-key': key });
            } catch {
              cut++;
              await sleep(50);
              continue;
            }
            if (answer.status === 201) {
              expect(answer.body.target).toBe(target);
              outcomes.push({ key, target, answer: 'created', attempts });
              break;
            }
            if (answer.status === 409 && answer.body?.code === 'idempotency_key_answer_lost') {
              outcomes.push({ key, target, answer: 'answer-lost', code: answer.body.code, attempts });
              break;
            }
            if (answer.status === 409 && answer.body?.code === 'idempotency_key_in_flight') {
              await sleep(200);
              continue;
            }
            if (answer.status === 503) {
              await sleep(100);
              continue;
            }
            unexpected.push(`${answer.status} ${JSON.stringify(answer.body)}`);
            break;
          }
        }
      };
      trace('load starts');
      const load = Promise.all(Array.from({ length: CLIENTS }, client));
      while (outcomes.length < BEFORE_KILL && Date.now() - started < 60_000) await sleep(20);
      trace(`killing after ${outcomes.length} outcomes`);
      killedAt = outcomes.length;
      const cutBeforeKill = cut;
      process.kill(pids[0]!, 'SIGKILL');
      await load;
      trace(`load done: ${outcomes.length} outcomes, ${cut} cut, unexpected ${unexpected.length}`);

      expect(unexpected).toEqual([]);
      // The kill landed under load: creations had been answered before it, requests in flight were
      // cut by it, and the service went on answering after it.
      expect(killedAt).toBeGreaterThanOrEqual(BEFORE_KILL);
      expect(cutBeforeKill).toBe(0);
      expect(cut).toBeGreaterThan(0);
      expect(outcomes.length - killedAt!).toBeGreaterThanOrEqual(AFTER_KILL);
      expect(r.stderr()).toMatch(/instance 1 \(pid \d+\) exited unexpectedly \(SIGKILL\)/);

      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        const rows = (await db.query<{ target: string; n: string }>(`select target, count(*) as n from "Link" where target like 'https://example.com/load/%' group by target`)).rows;
        const stored = new Map(rows.map((row) => [row.target, Number(row.n)]));
        // No key applied twice.
        expect(rows.filter((row) => Number(row.n) > 1)).toEqual([]);
        // Every key answered 201, and every key reported as applied, is stored exactly once.
        for (const o of outcomes) expect(stored.get(o.target), `${o.answer} ${o.key} after ${o.attempts} attempts`).toBe(1);
        // And nothing is stored that no client was told about.
        expect(stored.size).toBe(outcomes.length);
        const pending = await db.query(`select count(*) as n from _archspec_idempotency where status <> 'done' and status <> 'committed'`);
        expect(Number(pending.rows[0].n)).toBe(0);
      } finally {
        await db.end();
      }
    } finally {
      agent.destroy();
      r.child.kill('SIGTERM');
      const stopped = await Promise.race([r.exit, sleep(15_000).then(() => 'hung')]);
      if (stopped === 'hung') {
        r.child.kill('SIGKILL');
        throw new Error(`serve did not stop on SIGTERM: ${r.stderr()}`);
      }
    }
  }, 150_000);
});
