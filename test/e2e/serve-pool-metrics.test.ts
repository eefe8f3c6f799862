import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, serve, type Served } from './serve-harness.ts';

// Database pool occupancy reaches /metrics for engines with a pool (PostgreSQL); SQLite has one
// connection and reports no pool gauges rather than made-up ones.
describe.each(ENGINES)('archspec serve: database pool metrics on %s', (engine) => {
  let s: Served;
  beforeAll(async () => {
    s = await serve('linkly', engine);
    const alice = await s.account('alice@example.com');
    await s.call('GET', '/links', { token: alice.token });
  }, 60_000);
  afterAll(async () => s?.close());

  it(engine === 'postgres' ? 'exposes open, idle and waiting connections' : 'exposes no pool gauges', async () => {
    const r = await s.call('GET', '/metrics', { root: true });
    const text = String(r.body);
    const open = /^archspec_db_pool_connections (\d+)$/m.exec(text);
    if (engine === 'postgres') {
      expect(Number(open?.[1])).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^archspec_db_pool_idle_connections \d+$/m);
      expect(text).toMatch(/^archspec_db_pool_waiting_clients 0$/m);
    } else {
      expect(open).toBeNull();
    }
    expect(text).toMatch(/archspec_db_query_duration_seconds_count\{operation="list",entity="Link"\} [1-9]/);
  });
});
