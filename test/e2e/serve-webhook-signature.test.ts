import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, serve, WEBHOOK_SECRET, type Served } from './serve-harness.ts';
import { outboxRows } from './outbox-rows.ts';

const HEADER = 'x-processor-signature';

function hmac(body: string, secret = WEBHOOK_SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** A processor event as the processor would send it (`created`: Unix seconds). */
function event(type: string, data: Record<string, unknown>, createdMs = Date.now()): string {
  return JSON.stringify({ id: `evt_${Math.random().toString(36).slice(2)}`, type, created: Math.floor(createdMs / 1000), data });
}

// POST /webhooks/processor declares `signature: { header: X-Processor-Signature, secret: env:... }`:
// the pipeline checks the HMAC of the raw body before the handler runs; the handler keeps only
// its replay window on the signed `created` time.
describe.each(ENGINES)('archspec serve: signed webhooks on %s', (engine) => {
  let s: Served;
  let pendingPayment: string;

  const deliver = (body: string, signature?: string) =>
    s.call('POST', '/webhooks/processor', { raw: body, headers: signature === undefined ? {} : { [HEADER]: signature } });

  beforeAll(async () => {
    s = await serve('payments', engine);
    const shopper = await s.account('hook-shopper@example.com', { fields: { name: 'Sam' } });
    const admin = await s.account('hook-admin@example.com', { role: 'admin', fields: { name: 'Ada' } });
    const product = await s.call('POST', '/products', { token: admin.token, body: { sku: 'HOOK-1', name: 'Cup', unitPrice: '9.00', currency: 'EUR' } });
    const order = await s.call('POST', '/orders', { token: shopper.token, body: { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product: product.body.id, quantity: 1 }] } });
    // No processor is configured in the test, so the charge's outcome is unknown and the payment stays pending.
    const pay = await s.call('POST', '/payments', { token: shopper.token, body: { order: order.body.id, processorToken: 'tok_visa' } });
    expect(pay.body.code).toBe('payment_pending');
    const payments = await s.call('GET', '/payments', { token: shopper.token });
    pendingPayment = payments.body.items[0].id;
  }, 60_000);
  afterAll(async () => s?.close());

  it('answers 401 naming the header when the signature is missing, and never runs the handler', async () => {
    const before = (await outboxRows(s.storage)).length;
    const r = await deliver(event('charge.succeeded', { reference: pendingPayment, chargeId: 'ch_forged' }));
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringContaining('X-Processor-Signature') });
    expect((await outboxRows(s.storage)).length).toBe(before);
  });

  it('answers 401 for a signature made with another secret, over another body or malformed', async () => {
    const body = event('charge.succeeded', { reference: pendingPayment, chargeId: 'ch_forged' });
    for (const signature of [hmac(body, 'someone-else'), hmac(`${body} `), 'sha256=zz', `sha512=${hmac(body)}`, '']) {
      const r = await deliver(body, signature);
      expect(r.status, signature).toBe(401);
      expect(r.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringContaining('X-Processor-Signature') });
    }
    const payment = await s.storage.get('Payment', pendingPayment);
    expect(payment?.status).toBe('pending');
  });

  it('accepts the HMAC-SHA256 of the exact raw body as hex, with or without the sha256= prefix', async () => {
    const ignored = event('charge.dispute.created', {});
    const plain = await deliver(ignored, hmac(ignored).toUpperCase());
    expect(plain.status).toBe(204);

    // Whitespace and key order are part of what was signed: the check uses the raw text, not re-serialized JSON.
    const body = `{ "type": "charge.succeeded",  "created": ${Math.floor(Date.now() / 1000)}, "data": { "reference": "${pendingPayment}", "chargeId": "ch_1", "last4": "4242" } }`;
    const r = await deliver(body, `sha256=${hmac(body)}`);
    expect(r.status).toBe(204);
    expect(await s.storage.get('Payment', pendingPayment)).toMatchObject({ status: 'captured', processorRef: 'ch_1' });
    expect((await outboxRows(s.storage)).at(-1)).toMatchObject({ name: 'payment.captured', payload: { payment: pendingPayment } });
  });

  it('lets the handler refuse a correctly signed event older than five minutes (replay)', async () => {
    const body = event('charge.failed', { reference: pendingPayment, chargeId: 'ch_old' }, Date.now() - 6 * 60_000);
    const r = await deliver(body, hmac(body));
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringContaining('older than 5 minutes') });
  });
});
