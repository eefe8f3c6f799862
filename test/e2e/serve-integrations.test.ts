import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowPrivateIntegrations, startIntegrationDouble, type IntegrationDouble } from '../support/integration-double.ts';
import { ENGINES, serve, type Served } from './serve-harness.ts';

// The payments example's card processor behind its circuit breaker, over real HTTP: the processor
// (a local double) stops answering in time, the breaker opens (503 with Retry-After, /readyz and
// /metrics show it, calls stop reaching the processor), the processor recovers and after
// halfOpenAfter one trial call closes the breaker again.
const HALF_OPEN_MS = 1_500;

/** The payments spec with the processor at a private address (the double), a short timeout and a breaker that opens fast. */
const spec = (text: string) => allowPrivateIntegrations(text, (s) => {
  Object.assign(s.requirements.integrations.cardprocessor, {
    timeout: '150ms', retry: 1, breaker: { failureRate: '50%', window: '10s', halfOpenAfter: `${HALF_OPEN_MS}ms`, minimumCalls: 3 },
  });
});

describe.each(ENGINES)('archspec serve: integrations behind circuit breakers on %s', (engine) => {
  let s: Served;
  let processor: IntegrationDouble;
  let processorUp = true;
  let shopper: { id: string; token: string };
  let admin: { id: string; token: string };
  let product: string;

  beforeAll(async () => {
    processor = await startIntegrationDouble();
    processor.otherwise((request) => {
      if (!processorUp) return { delayMs: 2_000 };
      const body = JSON.parse(request.body || '{}');
      if (request.url === '/charges') return { body: { status: 'succeeded', chargeId: `ch_${body.reference}`, cardBrand: 'visa', last4: '4242' } };
      if (request.url === '/refunds') return { body: { status: 'succeeded', id: `re_${body.reference}` } };
      return { status: 404 };
    });
    // The harness hands the server a copy of process.env, read when it is built.
    const saved = process.env.CARD_PROCESSOR_URL;
    process.env.CARD_PROCESSOR_URL = processor.url;
    try {
      s = await serve('payments', engine, { spec });
    } finally {
      if (saved === undefined) delete process.env.CARD_PROCESSOR_URL;
      else process.env.CARD_PROCESSOR_URL = saved;
    }
    shopper = await s.account('breaker-shopper@example.com', { fields: { name: 'Sam' } });
    admin = await s.account('breaker-admin@example.com', { role: 'admin', fields: { name: 'Ada' } });
    product = (await s.call('POST', '/products', { token: admin.token, body: { sku: 'LAMP-1', name: 'Lamp', unitPrice: '40.00', currency: 'EUR' } })).body.id;
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await processor?.close();
  });

  const order = async (): Promise<string> => {
    const r = await s.call('POST', '/orders', { token: shopper.token, body: { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product, quantity: 1 }] } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  };
  const pay = async (orderId: string) => s.call('POST', '/payments', { token: shopper.token, body: { order: orderId, processorToken: 'tok_visa' } });
  const readiness = async () => (await s.call('GET', '/readyz', { root: true })).body.checks.integrations.detail as string;
  const metrics = async () => String((await s.call('GET', '/metrics', { root: true })).body);

  it('opens the breaker when the processor times out, fails fast while open, and closes after a successful trial', async () => {
    // Up: a charge goes through.
    const paid = await pay(await order());
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body).toMatchObject({ status: 'captured', processorRef: `ch_${paid.body.id}` });
    expect(await readiness()).toContain('cardprocessor: closed');

    // Down: the refund's two attempts (retry: 1, same idempotency key) time out; with the charge that is
    // 2 failures of 3 calls, so the breaker opens. issue-refund lets the error through, so the client
    // gets 503 with the breaker's remaining open time.
    processorUp = false;
    const refund = await s.call('POST', `/payments/${paid.body.id}/refunds`, { token: admin.token, body: { amount: '5.00', reason: 'damaged' } });
    expect(refund.status).toBe(503);
    expect(refund.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refund.headers.get('retry-after')).toBe('2'); // the 1.5 s of halfOpenAfter, rounded up
    expect(refund.body).toMatchObject({ code: 'service_unavailable', detail: 'cardprocessor is unavailable (no answer within 150 ms); retry shortly' });
    // The client hung up on each attempt at its timeout (the double notices the close a moment later).
    await expect.poll(() => processor.requests.filter((r) => r.url === '/refunds').map((r) => r.abandoned)).toEqual([true, true]);
    expect(new Set(processor.requests.filter((r) => r.url === '/refunds').map((r) => r.headers['idempotency-key'])).size).toBe(1);

    // Open: readiness still passes and shows it; the metrics show it; a charge fails fast without
    // reaching the processor (create-payment answers its own 503 payment_pending).
    const ready = await s.call('GET', '/readyz', { root: true });
    expect(ready.status).toBe(200);
    expect(ready.body.checks.integrations).toEqual({ status: 'ok', detail: expect.stringContaining('cardprocessor: open (fallback error)') });
    expect(await metrics()).toContain('archspec_integration_breaker_state{integration="cardprocessor"} 2');
    expect(await metrics()).toContain('archspec_integration_calls_total{integration="cardprocessor",outcome="timeout"} 2');
    const charges = processor.count('/charges');
    const failedFast = await pay(await order());
    expect(failedFast.status).toBe(503);
    expect(failedFast.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(failedFast.body.code).toBe('payment_pending');
    expect(processor.count('/charges')).toBe(charges);
    expect(await metrics()).toContain('archspec_integration_calls_total{integration="cardprocessor",outcome="short_circuited"} 1');

    // Recovered: after halfOpenAfter the next charge is the trial; it succeeds and closes the breaker.
    processorUp = true;
    await sleep(HALF_OPEN_MS + 100);
    const recovered = await pay(await order());
    expect(recovered.status, JSON.stringify(recovered.body)).toBe(201);
    expect(recovered.body.status).toBe('captured');
    expect(processor.count('/charges')).toBe(charges + 1);
    expect(await readiness()).toContain('cardprocessor: closed');
    expect(await metrics()).toContain('archspec_integration_breaker_state{integration="cardprocessor"} 0');
  });
});
