import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type Served } from './serve-harness.ts';

// /metrics is checked by Prometheus' own tool, not by string matching: `promtool check metrics`
// parses the exposition format and lints names, types and help texts.
const PROMTOOL = '/usr/bin/promtool';
const noPromtool = !existsSync(PROMTOOL);
if (noPromtool && process.env.CI) throw new Error(`${PROMTOOL} is required in CI (apt-get install -y prometheus)`);

describe('archspec serve: /metrics', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve('linkly', 'sqlite');
    const alice = await s.account('alice@example.com');
    await s.call('POST', '/links', { token: alice.token, body: { target: 'https://example.org/x' } });
    await s.call('GET', '/links', { token: alice.token });
    await s.call('GET', '/links/nope', { token: alice.token });
  }, 60_000);
  afterAll(async () => s?.close());

  it.skipIf(noPromtool)(`passes promtool check metrics${noPromtool ? ' (skipped: promtool not installed)' : ''}`, async () => {
    const r = await s.call('GET', '/metrics', { root: true });
    expect(r.status).toBe(200);
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    expect(text).toContain('archspec_http_request_duration_seconds_bucket');
    expect(text).toContain('route="/api/links"');
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // prom-client's default Node.js gauges carry a `_total` suffix promtool's linter frowns on; they
    // are the library's names, not ours. Everything else must pass without a remark.
    const LIBRARY_NAMES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
    const remarks = (check.stdout + check.stderr).split('\n').filter((l) => l.trim() && !LIBRARY_NAMES.some((n) => l.startsWith(`${n} `)));
    expect(remarks).toEqual([]);
    expect(check.error).toBeUndefined();
  });
});
