import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, uniquePrefix } from '../conformance/redis-fixtures.ts';
import { bannerPort, runCli } from '../support/cli-process.ts';
import { replicaPairSupport, startReplicaPair, type ReplicaPair } from '../support/replica-pair.ts';
import { serviceUrl } from '../support/services.ts';
import { FIELD_KEY, JWT_SECRET } from './serve-harness.ts';

/**
 * DATABASE_REPLICA_URLS through the real CLI: checked at start (one line), and wired into every
 * worker of `--instances` (the banner names the replica; a user reads their write on either worker).
 */

const support = await replicaPairSupport();
const redis = await serviceUrl('redis');

/** One request on its own connection (no keep-alive), so each may land on either worker of `--instances`. */
function call(port: number, method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { connection: 'close', ...(payload ? { 'content-type': 'application/json' } : {}), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('DATABASE_REPLICA_URLS', () => {
  it('stops the start with one line when the database is the embedded SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archspec-replicas-cli-'));
    try {
      const r = runCli(['serve', 'examples/linkly/archspec.yaml', '--port', '0'], { ARCHSPEC_DATA_DIR: dir, DATABASE_URL: '', DATABASE_REPLICA_URLS: 'postgres://u:hunter2@replica:5432/app' });
      expect(await r.exit).toBe(2);
      expect(r.stderr()).toMatch(/^archspec: DATABASE_REPLICA_URLS is set, but DATABASE_URL is not a PostgreSQL URL .*\nhint: set DATABASE_REPLICA_URLS to comma-separated postgres:\/\/.*\n$/);
      expect(r.stderr()).not.toContain('hunter2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!support.bin || !redis.url)(`archspec serve --instances 2 with a read replica (${support.reason}; ${redis.reason})`, () => {
  let pair: ReplicaPair;
  beforeAll(async () => {
    pair = await startReplicaPair(support.bin!, { applyDelayMs: 1000 });
  });
  afterAll(() => pair?.stop());

  it('names the replica in the banner and lets a user read their write on whichever worker answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archspec-replicas-cli-'));
    cpSync('examples/linkly', join(dir, 'linkly'), { recursive: true, filter: (source) => !source.endsWith('.data') });
    const namespace = uniquePrefix('replicas-cli');
    const r = runCli(['serve', join(dir, 'linkly', 'archspec.yaml'), '--instances', '2', '--port', '0'], {
      DATABASE_URL: pair.primaryUrl, DATABASE_REPLICA_URLS: pair.replicaUrl, REDIS_URL: redis.url!, ARCHSPEC_REDIS_PREFIX: namespace,
      ARCHSPEC_JWT_SECRET: JWT_SECRET, ARCHSPEC_KEY: FIELD_KEY, ARCHSPEC_DATA_DIR: join(dir, 'data'),
    });
    try {
      const port = await bannerPort(r);
      expect(r.stderr()).toMatch(new RegExp(`running \\(port ${port}, 2 instances; PostgreSQL at 127\\.0\\.0\\.1:\\d+ with 1 read replica;`));
      const account = { email: 'fay@example.com', password: 'a long enough password' };
      expect((await call(port, 'POST', '/api/users', { body: account })).status).toBe(201);
      const token = (await call(port, 'POST', '/api/auth/login', { body: account })).body.accessToken as string;
      for (let i = 0; i < 3; i++) {
        const created = await call(port, 'POST', '/api/links', { token, body: { target: `https://example.com/cli-${i}` } });
        expect(created.status).toBe(201);
        // Fresh connections: the kernel hands them to either worker; each lists the new link at once (lists are
        // not cached, so they go through the replica routing; the standby applies the insert a second later).
        for (let j = 0; j < 4; j++) {
          const list = await call(port, 'GET', '/api/links?limit=100', { token });
          expect(list.body.items.map((l: { code: string }) => l.code)).toContain(created.body.code);
        }
      }
      const ready = await call(port, 'GET', '/readyz');
      expect(ready.body.checks.replicas).toEqual({ status: 'ok', detail: '1 of 1 read replicas usable' });
      r.child.kill('SIGTERM');
      expect(await r.exit).toBe(0);
    } finally {
      r.child.kill('SIGKILL');
      await deleteKeys(redis.url!, namespace);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

