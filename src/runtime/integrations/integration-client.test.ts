import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIntegrationDouble, type IntegrationDouble } from '../../../test/support/integration-double.ts';
import { testIntegrations, type TestIntegrations } from '../../../test/support/integration-model.ts';
import { ApiError } from '../api-error.ts';
import { MAX_RESPONSE_BYTES } from './http-attempt.ts';
import { IntegrationUnavailableError } from './integration-errors.ts';

// Timeouts, retries, fallbacks and answer checks of ctx.integrations.<name>, against a real HTTP double.
let double: IntegrationDouble;
let t: TestIntegrations | undefined;
beforeAll(async () => { double = await startIntegrationDouble(); });
afterAll(async () => double?.close());
afterEach(async () => { await t?.close(); t = undefined; double.reset(); });

/** A client for one integration `probe` (spec syntax) pointing at the double. */
function probe(spec: Record<string, unknown> = {}, env: Record<string, string> = { PROBE_URL: double.url }) {
  t = testIntegrations({ probe: { purpose: 'test double', url: 'env:PROBE_URL', allowPrivateNetwork: true, ...spec } }, env);
  return t.set.clients.probe!;
}
const calls = (outcome: string) => t!.metric('archspec_integration_calls_total', { integration: 'probe', outcome });
const failureOf = (promise: Promise<unknown>) => promise.then(
  (value) => { throw new Error(`expected a failure, got ${JSON.stringify(value)}`); },
  (error: unknown) => error as IntegrationUnavailableError,
);

describe('integration client: answers', () => {
  it('sends JSON and returns the parsed answer, counting and timing the attempt', async () => {
    double.otherwise({ body: { score: 7 } });
    const client = probe();
    expect(await client.post('/scores', { amount: '1.00' }, { idempotencyKey: 'pay-1', headers: { 'x-tenant': 't1' } })).toEqual({ score: 7 });
    expect(double.requests[0]).toMatchObject({ method: 'POST', url: '/scores', body: '{"amount":"1.00"}' });
    expect(double.requests[0]!.headers).toMatchObject({ accept: 'application/json', 'content-type': 'application/json', 'idempotency-key': 'pay-1', 'x-tenant': 't1' });
    expect(await calls('success')).toBe(1);
    expect(await t!.metric('archspec_integration_call_duration_seconds_count', { integration: 'probe' })).toBe(1);
  });

  it('resolves an empty answer to null and keeps the base URL path', async () => {
    double.otherwise({ raw: '' });
    const client = probe({}, { PROBE_URL: `${double.url}/v2` });
    expect(await client.get('/countries/de')).toBeNull();
    expect(double.requests[0]!.url).toBe('/v2/countries/de');
  });

  it('refuses a redirect instead of following it', async () => {
    double.otherwise({ redirectTo: `${double.url}/elsewhere` });
    const error = await failureOf(probe({ retry: 2 }).get('/moved'));
    expect(error.failure).toBe('answered 302, a redirect (refused)');
    expect(double.count('/elsewhere')).toBe(0);
    expect(double.count('/moved')).toBe(1); // a redirect is not transient: no retry
  });

  it(`fails an answer larger than ${MAX_RESPONSE_BYTES} bytes, streamed or announced, and accepts one just below`, async () => {
    const client = probe();
    double.script({ oversizeBytes: 2 * MAX_RESPONSE_BYTES });
    expect((await failureOf(client.get('/big'))).failure).toBe('answered with a body larger than 1 MiB');
    double.script({ raw: JSON.stringify('x'.repeat(MAX_RESPONSE_BYTES)), headers: { 'content-type': 'application/json' } });
    expect((await failureOf(client.get('/big'))).failure).toBe('answered with a body larger than 1 MiB');
    double.script({ raw: JSON.stringify('x'.repeat(MAX_RESPONSE_BYTES - 10)) });
    expect(await client.get('/big')).toHaveLength(MAX_RESPONSE_BYTES - 10);
  });

  it('fails an answer that is not JSON', async () => {
    double.otherwise({ raw: '<html>gateway error</html>' });
    expect((await failureOf(probe().get('/page'))).failure).toBe('answered with a body that is not JSON');
  });

  it('refuses a path that leaves the integration\'s origin: a bug, not an outage', async () => {
    await expect(probe({ fallback: 'allow' }).get('http://example.com/steal')).rejects.toThrow(TypeError);
    expect(double.count()).toBe(0);
  });
});

describe('integration client: timeouts and retries', () => {
  it('aborts an attempt at the timeout (the double sees the client hang up)', async () => {
    double.otherwise({ delayMs: 2_000 });
    const error = await failureOf(probe({ timeout: '100ms' }).get('/slow'));
    expect(error).toBeInstanceOf(IntegrationUnavailableError);
    expect(error).toMatchObject({ reason: 'timeout', failure: 'no answer within 100 ms', status: 503, code: 'service_unavailable' });
    await expect.poll(() => double.requests[0]?.abandoned).toBe(true);
    expect(await calls('timeout')).toBe(1);
  });

  it('retries an idempotent GET `retry` times, then gives up', async () => {
    double.otherwise({ status: 503 });
    const error = await failureOf(probe({ retry: 2 }).get('/flaky'));
    expect(error.failure).toBe('answered 503');
    expect(double.count('/flaky')).toBe(3);
    expect(await calls('failure')).toBe(3);
  });

  it('retries timeouts and stops at the first success', async () => {
    double.script({ delayMs: 1_000 }, { status: 502 });
    double.otherwise({ body: { ok: true } });
    expect(await probe({ retry: 3, timeout: '100ms' }).get('/flaky')).toEqual({ ok: true });
    expect(double.count('/flaky')).toBe(3);
    expect([await calls('timeout'), await calls('failure'), await calls('success')]).toEqual([1, 1, 1]);
  });

  it('never retries a POST of a non-idempotent integration without an idempotency key', async () => {
    double.otherwise({ status: 503 });
    const client = probe({ retry: 2, idempotent: false });
    await failureOf(client.post('/charges', { amount: 1 }));
    expect(double.count('/charges')).toBe(1);
    // With a key the processor deduplicates, so retrying is safe: the same key on every attempt.
    await failureOf(client.post('/charges', { amount: 1 }, { idempotencyKey: 'pay-9' }));
    expect(double.requests.slice(1).map((r) => r.headers['idempotency-key'])).toEqual(['pay-9', 'pay-9', 'pay-9']);
  });

  it('does not retry a 4xx answer: the integration is up and refused the request', async () => {
    double.otherwise({ status: 404 });
    expect((await failureOf(probe({ retry: 3 }).get('/missing'))).failure).toBe('answered 404');
    expect(double.count('/missing')).toBe(1);
  });

  it('retries 429 and 408 like a 5xx', async () => {
    double.script({ status: 429 }, { status: 408 });
    double.otherwise({ body: 1 });
    expect(await probe({ retry: 2 }).get('/busy')).toBe(1);
    expect(double.count('/busy')).toBe(3);
  });
});

describe('integration client: fallbacks', () => {
  it('allow: resolves null and counts the fallback', async () => {
    double.otherwise({ status: 500 });
    expect(await probe({ fallback: 'allow' }).get('/x')).toBeNull();
    expect([await calls('failure'), await calls('fallback')]).toEqual([1, 1]);
    expect(t!.logs.find((l) => l.level === 'warn')?.obj).toMatchObject({ integration: 'probe', reason: 'failure', fallback: 'allow' });
  });

  it('cached: answers the last good answer of the same GET, else fails', async () => {
    const client = probe({ fallback: 'cached' });
    double.script({ body: { country: 'DE' } }, { body: { country: 'FR' } });
    expect(await client.get('/geo/1')).toEqual({ country: 'DE' });
    expect(await client.get('/geo/1')).toEqual({ country: 'FR' });
    double.otherwise({ status: 503 });
    expect(await client.get('/geo/1')).toEqual({ country: 'FR' });
    expect(await calls('fallback')).toBe(1);
    // Another GET, other headers (another tenant) or a POST have no cached answer.
    expect(await failureOf(client.get('/geo/2'))).toBeInstanceOf(IntegrationUnavailableError);
    expect(await failureOf(client.get('/geo/1', { headers: { 'x-tenant': 'b' } }))).toBeInstanceOf(IntegrationUnavailableError);
    expect(await failureOf(client.post('/geo/1', {}))).toBeInstanceOf(IntegrationUnavailableError);
  });

  it('cached: hands each caller its own copy', async () => {
    const client = probe({ fallback: 'cached' });
    double.script({ body: { tags: ['a'] } });
    await client.get('/tags');
    double.otherwise({ status: 503 });
    (await client.get('/tags')).tags.push('mutated');
    expect(await client.get('/tags')).toEqual({ tags: ['a'] });
  });

  it('queue: throws IntegrationUnavailableError, retryable, a 503 ApiError in a request', async () => {
    double.otherwise({ status: 503 });
    const error = await failureOf(probe({ fallback: 'queue' }).post('/messages', { to: 'a@example.com' }));
    expect(error).toBeInstanceOf(IntegrationUnavailableError);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ integration: 'probe', reason: 'failure', retryable: true, status: 503 });
  });

  it.each(['deny', 'error', undefined])('%s: fails with service_unavailable naming the integration and Retry-After', async (fallback) => {
    double.otherwise({ status: 503 });
    const error = await failureOf(probe(fallback ? { fallback } : {}).get('/x'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('service_unavailable');
    expect(error.detail).toBe('probe is unavailable (answered 503); retry shortly');
    expect(error.extra.retryAfterSeconds).toBe(5);
  });

  it('an unset url is a configuration problem: the fallback answers, the log names the variable once', async () => {
    expect(await probe({ fallback: 'allow' }, {}).get('/x')).toBeNull();
    await t!.set.clients.probe!.get('/y');
    const errors = t!.logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain('env:PROBE_URL is not set');
    const error = await failureOf(probe({ fallback: 'error' }, {}).get('/x'));
    expect(error).toMatchObject({ reason: 'not_configured', retryable: false, detail: 'probe is unavailable (its url is not configured)' });
    expect(error.extra.retryAfterSeconds).toBeUndefined();
  });
});
