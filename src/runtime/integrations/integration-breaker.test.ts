import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIntegrationDouble, type IntegrationDouble } from '../../../test/support/integration-double.ts';
import { testIntegrations, type TestIntegrations } from '../../../test/support/integration-model.ts';
import { IntegrationUnavailableError } from './integration-errors.ts';

// Circuit breaker and bulkhead of ctx.integrations.<name>, against a real HTTP double. halfOpenAfter
// is 200ms so the half-open trial comes quickly.
const HALF_OPEN_MS = 200;
let double: IntegrationDouble;
let t: TestIntegrations | undefined;
beforeAll(async () => { double = await startIntegrationDouble(); });
afterAll(async () => double?.close());
afterEach(async () => { await t?.close(); t = undefined; double.reset(); });

function probe(spec: Record<string, unknown> = {}) {
  t = testIntegrations({
    probe: {
      purpose: 'test double', url: 'env:PROBE_URL', allowPrivateNetwork: true, fallback: 'error',
      breaker: { failureRate: '50%', window: '10s', halfOpenAfter: `${HALF_OPEN_MS}ms`, minimumCalls: 4 },
      ...spec,
    },
  }, { PROBE_URL: double.url });
  return t.set.clients.probe!;
}
const state = () => t!.set.breakers().find((b) => b.integration === 'probe')!.state;
const gauge = () => t!.metric('archspec_integration_breaker_state', { integration: 'probe' });
const calls = (outcome: string) => t!.metric('archspec_integration_calls_total', { integration: 'probe', outcome });
const failureOf = (promise: Promise<unknown>) => promise.then(
  (value) => { throw new Error(`expected a failure, got ${JSON.stringify(value)}`); },
  (error: unknown) => error as IntegrationUnavailableError,
);

/** Makes `n` failing calls (the double answers 503). */
async function fail(client: ReturnType<typeof probe>, n: number): Promise<void> {
  double.otherwise({ status: 503 });
  for (let i = 0; i < n; i++) await failureOf(client.get('/x'));
}

describe('integration circuit breaker', () => {
  it('opens at the failure rate after minimumCalls; then calls fail fast without reaching the integration', async () => {
    const client = probe();
    await fail(client, 3);
    expect(state()).toBe('closed');
    await fail(client, 1);
    expect(state()).toBe('open');
    expect(await gauge()).toBe(2);
    expect(t!.logs.find((l) => l.level === 'warn' && l.msg?.includes('opened'))?.obj).toMatchObject({ integration: 'probe', cause: 'answered 503' });

    const error = await failureOf(client.get('/x'));
    expect(error).toMatchObject({ reason: 'short_circuited', failure: 'its circuit breaker is open', status: 503 });
    expect(error.extra.retryAfterSeconds).toBe(1); // the remaining 200ms, rounded up
    expect(double.count()).toBe(4);
    expect(await calls('short_circuited')).toBe(1);
  });

  it('half-opens after halfOpenAfter: a successful trial closes it', async () => {
    const client = probe();
    await fail(client, 4);
    await sleep(HALF_OPEN_MS + 50);
    double.otherwise({ delayMs: 300, body: { ok: true } });
    const trial = client.get('/x');
    await expect.poll(() => double.count()).toBe(5);
    expect(state()).toBe('half-open');
    expect(await gauge()).toBe(1);
    expect(await trial).toEqual({ ok: true });
    expect(state()).toBe('closed');
    expect(await gauge()).toBe(0);
    expect(t!.logs.some((l) => l.level === 'info' && l.msg?.includes('closed'))).toBe(true);
    expect(await client.get('/x')).toEqual({ ok: true });
  });

  it('re-opens at once when the trial fails', async () => {
    const client = probe();
    await fail(client, 4);
    await sleep(HALF_OPEN_MS + 50);
    await fail(client, 1); // the trial
    expect(double.count()).toBe(5);
    expect(state()).toBe('open');
    expect((await failureOf(client.get('/x'))).reason).toBe('short_circuited');
    expect(double.count()).toBe(5);
  });

  it('is not opened by 4xx answers: the integration is up', async () => {
    const client = probe();
    double.otherwise({ status: 404 });
    for (let i = 0; i < 6; i++) await failureOf(client.get('/missing'));
    expect(state()).toBe('closed');
    expect(double.count()).toBe(6);
  });

  it('counts attempts, so it stops the remaining retries of a call once it opens', async () => {
    const client = probe({ retry: 5, breaker: { failureRate: '50%', window: '10s', halfOpenAfter: '10s', minimumCalls: 2 } });
    const error = await failureOf((double.otherwise({ status: 503 }), client.get('/x')));
    expect(error.reason).toBe('short_circuited');
    expect(double.count()).toBe(2);
    expect(error.extra.retryAfterSeconds).toBe(10);
  });

  it('reports each integration\'s breaker for readiness, with its fallback', async () => {
    probe();
    expect(t!.set.breakers()).toEqual([
      { integration: 'cardprocessor', state: 'closed', fallback: 'error' },
      { integration: 'fraudcheck', state: 'closed', fallback: 'allow' },
      { integration: 'mailer', state: 'closed', fallback: 'queue' },
      { integration: 'probe', state: 'closed', fallback: 'error' },
    ]);
  });

  it('an integration without a breaker block has none', async () => {
    const client = probe({ breaker: undefined });
    await fail(client, 20);
    expect(state()).toBe('none');
    expect(double.count()).toBe(20);
  });
});

describe('integration bulkhead', () => {
  it('rejects calls beyond the cap without sending them; rejections go to the fallback and do not open the breaker', async () => {
    const client = probe({ bulkhead: 2, fallback: 'allow', breaker: { failureRate: '10%', window: '10s', halfOpenAfter: '10s', minimumCalls: 1 } });
    double.otherwise({ delayMs: 200, body: { ok: true } });
    const results = await Promise.all([client.get('/a'), client.get('/b'), client.get('/c')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, null]);
    expect(double.count()).toBe(2);
    expect(await calls('rejected')).toBe(1);
    expect(await calls('fallback')).toBe(1);
    expect(state()).toBe('closed');
    expect(await client.get('/d')).toEqual({ ok: true }); // slots free again
  });

  it('fails a rejected call with service_unavailable when the fallback does not answer', async () => {
    const client = probe({ bulkhead: 1 });
    double.otherwise({ delayMs: 150, body: {} });
    const [first, second] = await Promise.allSettled([client.get('/a'), client.get('/b')]);
    expect(first.status).toBe('fulfilled');
    expect((second as PromiseRejectedResult).reason).toMatchObject({ reason: 'rejected', failure: '1 calls are already in flight', status: 503 });
  });
});
