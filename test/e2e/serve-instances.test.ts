import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerPort, runCli, type CliRun } from '../support/cli-process.ts';
import { callOnNewConnection } from '../support/fresh-connection.ts';

// `archspec serve --instances 2`: one supervisor, two workers on one port sharing the SQLite file.
// Which worker answered is read from the JSON request log (`worker`, matched by X-Request-Id),
// never from a response header.

/** One request on its own connection (no keep-alive), so each may land on either worker. */
const call = callOnNewConnection;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: () => string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !condition();) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('archspec serve --instances', () => {
  let dir: string;
  let spec: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-instances-'));
    cpSync('examples/linkly', join(dir, 'linkly'), { recursive: true });
    spec = join(dir, 'linkly', 'archspec.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a bad --instances in one line with exit 2', async () => {
    const r = runCli(['serve', spec, '--instances', 'two', '--port', '0'], { ARCHSPEC_DATA_DIR: join(dir, 'bad') });
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toContain('--instances "two" is not a whole number of at least 1');
    expect(r.stderr()).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('reports a port in use once and exits 2 with no worker left', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = runCli(['serve', spec, '--instances', '2', '--port', String(port)], { ARCHSPEC_DATA_DIR: join(dir, 'busy') });
      expect(await r.exit).toBe(2);
      expect(r.stderr().match(/port \d+ is in use/g)).toEqual([`port ${port} is in use`]);
      expect(r.stderr()).not.toContain('is running');
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('runs two workers on one port, shares the database, replaces a killed worker and stops on SIGTERM', async () => {
    const env = { ARCHSPEC_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info', REDIS_URL: '' };
    const r: CliRun = runCli(['serve', spec, '--instances', '2', '--port', '0'], env);
    let stdout = '';
    r.child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
    /** The instance that answered the request with this id, from its log line. */
    const instanceOf = (requestId: string) => stdout.split('\n').filter((l) => l.includes(`"reqId":"${requestId}"`)).map((l) => JSON.parse(l).worker as number)[0];
    try {
      const port = await bannerPort(r);
      const banner = r.stderr();
      expect(banner.match(/is running/g)).toHaveLength(1);
      expect(banner).toContain(`running (port ${port}, 2 instances;`);
      expect(banner).toContain(`http://127.0.0.1:${port}/api`);
      expect(banner).toContain('REDIS_URL is not set: each instance has its own cache and rate-limit counters');
      const pids = /instances {4}2 \(pids (\d+), (\d+)\)/.exec(banner)!.slice(1).map(Number);
      expect(pids.every(alive)).toBe(true);

      const account = { email: 'many@example.com', password: 'a long enough password' };
      expect((await call(port, 'POST', '/api/users', { body: account })).status).toBe(201);
      const login = await call(port, 'POST', '/api/auth/login', { body: account });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      const token = login.body.accessToken as string;
      const created = await call(port, 'POST', '/api/links', { body: { target: 'https://example.com/shared' }, token, requestId: 'create-1' });
      expect(created.status).toBe(201);

      // Read it back on fresh connections until both workers have answered: the one that wrote it and the other.
      const readers = new Set<number>();
      for (let i = 0; i < 20 && readers.size < 2; i++) {
        const read = await call(port, 'GET', `/api/links/${created.body.code}`, { token, requestId: `read-${i}` });
        expect(read.status).toBe(200);
        expect(read.body.target).toBe('https://example.com/shared');
        for (const [name, value] of Object.entries(read.headers)) {
          expect(name).not.toMatch(/instance|pid|worker/i);
          expect(pids.map(String)).not.toContain(String(value));
        }
        await until(() => instanceOf(`read-${i}`) !== undefined, () => stdout);
        readers.add(instanceOf(`read-${i}`)!);
      }
      await until(() => instanceOf('create-1') !== undefined, () => stdout);
      expect([...readers].sort()).toEqual([1, 2]);
      expect([1, 2]).toContain(instanceOf('create-1'));

      // SIGKILL one worker: the supervisor starts a replacement and the service keeps answering.
      process.kill(pids[0]!, 'SIGKILL');
      await until(() => /instance 1 is serving again \(pid \d+\)/.test(r.stderr()), r.stderr);
      expect(r.stderr()).toMatch(/instance 1 \(pid \d+\) exited unexpectedly \(SIGKILL\); starting a replacement in 0\.5 s/);
      const replacement = Number(/instance 1 is serving again \(pid (\d+)\)/.exec(r.stderr())![1]);
      expect(alive(replacement)).toBe(true);
      const served = new Set<number>();
      for (let i = 0; i < 20 && served.size < 2; i++) {
        expect((await call(port, 'GET', `/api/links/${created.body.code}`, { token, requestId: `after-${i}` })).status).toBe(200);
        await until(() => instanceOf(`after-${i}`) !== undefined, () => stdout);
        served.add(instanceOf(`after-${i}`)!);
      }
      expect([...served].sort()).toEqual([1, 2]);

      r.child.kill('SIGTERM');
      expect(await r.exit).toBe(0);
      expect(r.stderr()).toContain('SIGTERM received');
      expect([pids[1]!, replacement].some(alive)).toBe(false);
    } finally {
      if (r.child.exitCode === null) r.child.kill('SIGKILL');
    }
  }, 40_000);

  it('stops a replacement that was still starting when SIGTERM came (regression: the supervisor waited for it forever)', async () => {
    const r: CliRun = runCli(['serve', spec, '--instances', '2', '--port', '0'], { ARCHSPEC_DATA_DIR: join(dir, 'restart-stop'), REDIS_URL: '' });
    let workerPids: number[] = [];
    try {
      await bannerPort(r);
      workerPids = /instances {4}2 \(pids (\d+), (\d+)\)/.exec(r.stderr())!.slice(1).map(Number);
      process.kill(workerPids[0]!, 'SIGKILL');
      await until(() => /starting a replacement/.test(r.stderr()), r.stderr);
      // The replacement is forked 0.5 s later and needs longer than that to serve: SIGTERM reaches it mid-start.
      await new Promise((resolve) => setTimeout(resolve, 600));
      r.child.kill('SIGTERM');
      const code = await Promise.race([r.exit, new Promise((resolve) => setTimeout(() => resolve('hung'), 20_000))]);
      expect(code, r.stderr()).toBe(0);
      expect(workerPids.some(alive)).toBe(false);
    } finally {
      if (r.child.exitCode === null) r.child.kill('SIGKILL');
    }
  }, 60_000);
});
