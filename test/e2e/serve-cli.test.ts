import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bannerPort, runCli } from '../support/cli-process.ts';

// The real CLI: `archspec serve` starts, prints its banner, answers HTTP, stops cleanly on SIGTERM;
// operational problems are one line with exit 2; destructive migrations are refused with exit 1.

describe('archspec serve (CLI)', () => {
  let dir: string;
  let spec: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-cli-'));
    cpSync('examples/linkly', dir, { recursive: true });
    spec = join(dir, 'archspec.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves on a free port, prints the URLs and exits 0 after SIGTERM', async () => {
    const r = runCli(['serve', spec, '--port', '0']);
    const port = await bannerPort(r);
    for (const path of ['/docs', '/openapi.json', '/metrics', '/healthz']) expect(r.stderr()).toContain(`http://127.0.0.1:${port}${path}`);
    expect(r.stderr()).toContain('generated a development secret');
    const answer = await fetch(`http://127.0.0.1:${port}/api/links`);
    expect(answer.status).toBe(401);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(r.stderr()).toContain('SIGTERM received');
  }, 60_000);

  it('finishes a request still in flight when SIGTERM arrives, then exits 0', async () => {
    const r = runCli(['serve', spec, '--port', '0']);
    const port = await bannerPort(r);
    const body = JSON.stringify({ email: 'late@example.com', password: 'a long enough password' });
    // Send half the sign-up body, stop the server, then send the rest: the answer must still come.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/users', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => { text += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        r.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 300);
      }, 100);
    });
    const { status, text } = await answer;
    expect(status, text).toBe(201);
    expect(await r.exit).toBe(0);
    expect(r.stderr()).toContain('finishing requests in flight');
  }, 60_000);

  it('reports a port in use in one line and exits 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = runCli(['serve', spec, '--port', String(port)]);
      expect(await r.exit).toBe(2);
      expect(r.stderr()).toContain(`port ${port} is in use; pass --port or set PORT`);
      expect(r.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('names the variable when the token secret is missing outside the embedded database', async () => {
    const r = runCli(['serve', spec, '--port', '0'], { DATABASE_URL: `sqlite:${join(dir, 'other.sqlite')}`, ARCHSPEC_JWT_SECRET: '' });
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toContain('ARCHSPEC_JWT_SECRET is not set');
  }, 60_000);

  it('names the variable when the secret of a signed webhook is missing, and does not start', async () => {
    const payments = mkdtempSync(join(tmpdir(), 'archspec-cli-payments-'));
    try {
      cpSync('examples/payments', payments, { recursive: true });
      const r = runCli(['serve', join(payments, 'archspec.yaml'), '--port', '0'], { PROCESSOR_WEBHOOK_SECRET: '' });
      expect(await r.exit).toBe(2);
      expect(r.stderr()).toContain('PROCESSOR_WEBHOOK_SECRET is not set (POST /webhooks/processor verifies request signatures with it)');
      expect(r.stderr()).toContain('hint: set PROCESSOR_WEBHOOK_SECRET');
      expect(r.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(payments, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a destructive migration with the list of changes and a hint, then applies it when allowed', async () => {
    // The first test migrated the embedded database; now drop Link.title from the model.
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^\s+title: \{ type: string, maxLength: 200, required: false \}\n/m, ''));
    // A dry run shows the refusal too, and changes nothing: the real migration below still has work to do.
    const dry = runCli(['migrate', spec, '--dry-run']);
    expect(await dry.exit).toBe(1);
    expect(dry.stderr()).toMatch(/dry run: nothing was applied/);
    const dryAllowed = runCli(['migrate', spec, '--dry-run', '--allow-destructive']);
    expect(await dryAllowed.exit).toBe(0);
    const refused = runCli(['serve', spec, '--port', '0']);
    expect(await refused.exit).toBe(1);
    expect(refused.stderr()).toMatch(/destructive database changes, refused:\n\s+- .*title/);
    expect(refused.stderr()).toContain(`archspec migrate ${spec} --allow-destructive`);
    const migrated = runCli(['migrate', spec, '--allow-destructive']);
    expect(await migrated.exit).toBe(0);
    const again = runCli(['migrate', spec, '--dry-run']);
    expect(await again.exit).toBe(0);
  }, 60_000);
});
