import type { LookupAddress } from 'node:dns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIntegrationDouble, type IntegrationDouble } from '../../../test/support/integration-double.ts';
import { testIntegrations, type TestIntegrations } from '../../../test/support/integration-model.ts';
import type { HostResolver } from './address-guard.ts';
import { IntegrationUnavailableError } from './integration-errors.ts';

// The SSRF guard of ctx.integrations.<name>: private addresses are refused unless the integration
// says allowPrivateNetwork, and the connection goes to the very addresses that were checked.
let double: IntegrationDouble;
let t: TestIntegrations | undefined;
beforeAll(async () => { double = await startIntegrationDouble(); double.otherwise({ body: { ok: true } }); });
afterAll(async () => double?.close());
afterEach(async () => { await t?.close(); t = undefined; double.requests.length = 0; });

function probe(url: string, spec: Record<string, unknown> = {}, resolveHost?: HostResolver) {
  t = testIntegrations({ probe: { purpose: 'test', url: 'env:PROBE_URL', retry: 3, fallback: 'error', ...spec } }, { PROBE_URL: url },
    resolveHost ? { resolveHost } : {});
  return t.set.clients.probe!;
}
const refusal = (promise: Promise<unknown>) => promise.then(
  () => { throw new Error('expected the SSRF guard to refuse the call'); },
  (error: IntegrationUnavailableError) => error,
);
const refusedCount = () => t!.metric('archspec_integration_calls_total', { integration: 'probe', outcome: 'refused' });

describe('integration SSRF guard', () => {
  it.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['a private network address', 'http://10.0.0.1/', 'RFC 1918'],
    ['localhost', 'http://localhost:PORT/', 'loopback name'],
    ['IPv6 loopback', 'http://[::1]:PORT/', 'loopback address'],
    ['an IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:PORT/', 'loopback address'],
    ['the metadata host name', 'http://metadata.google.internal/', 'metadata service name'],
  ])('refuses %s, once (no retry), counting and logging it as a configuration problem', async (_what, url, words) => {
    const error = await refusal(probe(url.replace('PORT', String(double.port))).get('/x'));
    expect(error).toMatchObject({ reason: 'refused', retryable: false, status: 503, detail: 'probe is unavailable (its address is refused by the SSRF guard)' });
    expect(error.extra.retryAfterSeconds).toBeUndefined();
    expect(await refusedCount()).toBe(1);
    const logged = t!.logs.find((l) => l.level === 'error');
    expect(logged?.msg).toContain(words);
    expect(logged?.msg).toContain('allowPrivateNetwork');
    expect(double.count()).toBe(0);
  });

  it('refuses the double on 127.0.0.1 unless the integration allows private networks', async () => {
    await refusal(probe(double.url).get('/x'));
    expect(double.count()).toBe(0);
    expect(await probe(double.url, { allowPrivateNetwork: true }).get('/x')).toEqual({ ok: true });
    expect(double.count()).toBe(1);
  });

  it('logs a refusal at error level once, later ones at debug, and counts each', async () => {
    const client = probe('http://10.0.0.1/');
    for (let i = 0; i < 3; i++) await refusal(client.get('/x'));
    expect(t!.logs.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(t!.logs.filter((l) => l.level === 'debug')).toHaveLength(2);
    expect(await refusedCount()).toBe(3);
  });

  it('refuses a host name when any of its addresses is private, without connecting', async () => {
    const resolver = async (): Promise<LookupAddress[]> => [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }];
    const error = await refusal(probe(`http://api.partner.test:${double.port}/`, {}, resolver).get('/x'));
    expect(error.reason).toBe('refused');
    expect(t!.logs.find((l) => l.level === 'error')?.msg).toContain('api.partner.test resolves to 127.0.0.1, a loopback address');
    expect(double.count()).toBe(0);
  });

  it('connects to the address the check saw: the resolver\'s answer, not a second lookup', async () => {
    const asked: string[] = [];
    const resolver = async (host: string): Promise<LookupAddress[]> => { asked.push(host); return [{ address: '127.0.0.1', family: 4 }]; };
    // No DNS server knows this name: reaching the double proves the socket used the checked answer.
    const client = probe(`http://rebind.partner.test:${double.port}/`, { allowPrivateNetwork: true }, resolver);
    expect(await client.get('/x')).toEqual({ ok: true });
    expect(asked).toEqual(['rebind.partner.test']);
    expect(double.requests[0]!.headers.host).toBe(`rebind.partner.test:${double.port}`);
  });
});
