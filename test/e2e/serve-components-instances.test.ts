import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startComponent, until, waitForBanner, type ComponentProcess } from '../support/component-processes.ts';
import { callOnNewConnection } from '../support/fresh-connection.ts';
import { freePort } from '../support/free-port.ts';

// `--component` composes with `--instances`: Linkly's links service as two workers behind the
// gateway (one SQLite file). Which worker answered is read from the links log (`worker`), matched
// by the request id the gateway forwards.

const JWT_SECRET = 'components-instances-secret-that-is-long-enough-0123';
const FIELD_KEY = 'e2e:ZTJlIGZpZWxkIGVuY3J5cHRpb24ga2V5IDMyIGIhISE=';

/** One request through the gateway (paths under /api) on a connection of its own. */
const call = (port: number, method: string, path: string, options: Parameters<typeof callOnNewConnection>[3] = {}) => callOnNewConnection(port, method, `/api${path}`, options);

describe('archspec serve --component links --instances 2 behind the gateway', () => {
  let dir: string;
  let gateway: ComponentProcess;
  let links: ComponentProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-components-instances-'));
    cpSync('examples/linkly', join(dir, 'linkly'), { recursive: true, filter: (source) => !source.endsWith('.data') });
    const spec = join(dir, 'linkly', 'archspec.yaml');
    const env = { ARCHSPEC_DATA_DIR: join(dir, 'data'), ARCHSPEC_JWT_SECRET: JWT_SECRET, ARCHSPEC_KEY: FIELD_KEY, REDIS_URL: '', NATS_URL: '', DATABASE_URL: '' };
    const [gatewayPort, linksPort] = [await freePort(), await freePort()];
    links = startComponent(spec, 'links', linksPort, env, ['--instances', '2']);
    gateway = startComponent(spec, 'gateway', gatewayPort, { ...env, ARCHSPEC_SERVICE_LINKS_URL: `http://127.0.0.1:${linksPort}` });
    await Promise.all([waitForBanner(links), waitForBanner(gateway)]);
  }, 120_000);
  afterAll(async () => {
    for (const p of [gateway, links]) if (p && p.run.child.exitCode === null) p.run.child.kill('SIGTERM');
    await Promise.all([gateway?.run.exit, links?.run.exit]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one banner for the two links workers, naming the component', () => {
    const banner = links.run.stderr();
    expect(banner.match(/is running/g)).toHaveLength(1);
    expect(banner).toContain('2 instances');
    expect(banner).toContain('  component    links (service): 10 endpoints, auth routes, personal-data routes, 0 consumers');
  });

  it('serves through the gateway from both links workers, each log line tagged with the component and its worker', async () => {
    const account = { email: 'many-links@example.com', password: 'a long enough password' };
    expect((await call(gateway.port, 'POST', '/users', { body: account })).status).toBe(201);
    const login = await call(gateway.port, 'POST', '/auth/login', { body: account });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const token = login.body.accessToken as string;
    const created = await call(gateway.port, 'POST', '/links', { token, body: { target: 'https://example.com/two-workers' } });
    expect(created.status).toBe(201);

    // The gateway keeps connections to links open and reuses them, and each connection stays with the
    // worker that accepted it: concurrent requests make it open several, which the workers share.
    const workers = new Set<number>();
    for (let round = 0; round < 10 && workers.size < 2; round++) {
      const ids = Array.from({ length: 8 }, (_, i) => `read-${round}-${i}`);
      const reads = await Promise.all(ids.map((requestId) => call(gateway.port, 'GET', `/links/${created.body.code}`, { token, requestId })));
      for (const read of reads) expect([read.status, read.body.target]).toEqual([200, 'https://example.com/two-workers']);
      const lineOf = (requestId: string) => links.lines().find((l) => l.reqId === requestId && l.msg === 'request completed');
      await until(() => ids.every((id) => lineOf(id) !== undefined), () => links.stdout());
      for (const id of ids) {
        expect(lineOf(id)!.component).toBe('links');
        workers.add(lineOf(id)!.worker as number);
      }
    }
    expect([...workers].sort()).toEqual([1, 2]);
  }, 60_000);
});
