import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, serve, type Answer, type Served } from './serve-harness.ts';
import { allowPrivateIntegrations } from '../support/integration-double.ts';

const PASSWORD = 'correct horse battery staple';

/** A stand-in for the card processor and the fraud scorer: every charge and refund succeeds. */
async function fakeProcessor(): Promise<{ url: string; close(): Promise<void> }> {
  const answers: Record<string, (body: any) => unknown> = {
    '/charges': (b) => ({ status: 'succeeded', chargeId: `ch_${b.reference}`, cardBrand: 'visa', last4: '4242' }),
    '/refunds': (b) => ({ status: 'succeeded', id: `re_${b.reference}` }),
    '/scores': () => ({ score: 5 }),
  };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    req.on('end', () => {
      const answer = answers[req.url ?? ''];
      res.writeHead(answer ? 200 : 404, { 'content-type': 'application/json' });
      res.end(answer ? JSON.stringify(answer(JSON.parse(text || '{}'))) : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A 201 from a custom handler whose Location leads to the created record. */
async function expectCreatedAt(s: Served, r: Answer, location: string, token: string): Promise<void> {
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.headers.get('location')).toBe(location);
  const fetched = await s.call('GET', location, { token, root: true });
  expect(fetched.status).toBe(200);
  expect(fetched.body.id).toBe(r.body.id);
}

// The example handlers whose spec says they answer 201 use ctx.created(body, location).
describe.each(ENGINES)('archspec serve: custom handlers answer 201 with Location on %s', (engine) => {
  describe('payments', () => {
    let s: Served;
    let processor: { url: string; close(): Promise<void> };
    const saved = { card: process.env.CARD_PROCESSOR_URL, fraud: process.env.FRAUD_API_URL };
    beforeAll(async () => {
      processor = await fakeProcessor();
      process.env.CARD_PROCESSOR_URL = processor.url;
      process.env.FRAUD_API_URL = processor.url;
      // The fake processor listens on 127.0.0.1, which the SSRF guard refuses unless the spec allows it.
      s = await serve('payments', engine, { spec: (text) => allowPrivateIntegrations(text) });
    }, 60_000);
    afterAll(async () => {
      await s?.close();
      await processor?.close();
      for (const [name, value] of [['CARD_PROCESSOR_URL', saved.card], ['FRAUD_API_URL', saved.fraud]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('places an order, charges it and refunds it, each answering 201 at the new record', async () => {
      const shopper = await s.account('buyer@example.com', { fields: { name: 'Sam' } });
      const admin = await s.account('boss@example.com', { role: 'admin', fields: { name: 'Ada' } });
      const product = await s.call('POST', '/products', { token: admin.token, body: { sku: 'LAMP-1', name: 'Lamp', unitPrice: '40.00', currency: 'EUR' } });
      const order = await s.call('POST', '/orders', { token: shopper.token, body: { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product: product.body.id, quantity: 1 }] } });
      await expectCreatedAt(s, order, `/api/v1/orders/${order.body.id}`, shopper.token);
      const payment = await s.call('POST', '/payments', { token: shopper.token, body: { order: order.body.id, processorToken: 'tok_visa' } });
      await expectCreatedAt(s, payment, `/api/v1/payments/${payment.body.id}`, shopper.token);
      expect(payment.body).toMatchObject({ status: 'captured', processorRef: `ch_${payment.body.id}` });
      const refund = await s.call('POST', `/payments/${payment.body.id}/refunds`, { token: admin.token, body: { amount: '15.00', reason: 'damaged' } });
      await expectCreatedAt(s, refund, `/api/v1/refunds/${refund.body.id}`, shopper.token);
      expect(refund.body).toMatchObject({ status: 'succeeded', amount: '15.00' });
    });
  });

  describe('telehealth', () => {
    let s: Served;
    beforeAll(async () => { s = await serve('telehealth', engine); }, 60_000);
    afterAll(async () => s?.close());

    it('books a visit, signs its note and prescribes, each answering 201 at the new record', async () => {
      // The clinician's profile is created by an administrator account that then becomes the clinician.
      const doc = await s.account('doc@example.com', { role: 'admin', fields: { name: 'Dr Doc' } });
      const everyDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-23:59']]));
      const clinician = await s.call('POST', '/clinicians', {
        token: doc.token, body: { specialty: 'general-practice', licenseNumber: 'GP-1', licenseCountry: 'DE', workingHours: everyDay, timezone: 'UTC' },
      });
      expect(clinician.status).toBe(201);
      await s.storage.update('User', doc.id, { role: 'clinician' });
      const docToken = (await s.call('POST', '/auth/login', { body: { email: 'doc@example.com', password: PASSWORD } })).body.accessToken;

      const patient = await s.account('patient@example.com', { fields: { name: 'Pat' } });
      const profile = await s.call('POST', '/patients', { token: patient.token, body: { dateOfBirth: '1990-01-01', telehealthConsentAt: new Date().toISOString() } });
      expect(profile.status).toBe(201);
      const startsAt = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1, 10)).toISOString();
      const booked = await s.call('POST', '/appointments', { token: patient.token, body: { clinician: clinician.body.id, startsAt } });
      await expectCreatedAt(s, booked, `/api/v1/appointments/${booked.body.id}`, patient.token);

      await s.storage.update('Appointment', booked.body.id, { status: 'in-progress' });
      const note = await s.call('POST', `/appointments/${booked.body.id}/notes`, { token: docToken, body: { subjective: 'cough', assessment: 'cold', plan: 'rest' } });
      await expectCreatedAt(s, note, `/api/v1/notes/${note.body.id}`, patient.token);
      const prescription = await s.call('POST', `/appointments/${booked.body.id}/prescriptions`, {
        token: docToken, body: { medication: 'Paracetamol', dosage: '500mg', quantity: 20, pharmacy: 'Main St Pharmacy' },
      });
      await expectCreatedAt(s, prescription, `/api/v1/prescriptions/${prescription.body.id}`, patient.token);
    });
  });
});
