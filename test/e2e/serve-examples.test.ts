import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, serve, type Served } from './serve-harness.ts';
import { outboxRows } from './outbox-rows.ts';

// The other two examples start with every custom handler loaded, enforce their roles, and run handlers
// that use the typed context (db in one transaction, user, body, emit, problem helpers).
describe.each(ENGINES)('archspec serve: payments and telehealth examples on %s', (engine) => {
  describe('payments', () => {
    let s: Served;
    let shopper: { id: string; token: string };
    let admin: { id: string; token: string };
    beforeAll(async () => {
      s = await serve('payments', engine);
      shopper = await s.account('shopper@example.com', { fields: { name: 'Sam' } });
      admin = await s.account('admin@example.com', { role: 'admin', fields: { name: 'Ada' } });
    }, 60_000);
    afterAll(async () => s?.close());

    it('answers 403 naming the roles when a customer lists users', async () => {
      const r = await s.call('GET', '/users', { token: shopper.token });
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('support, admin') });
      expect((await s.call('GET', '/users', { token: admin.token })).status).toBe(200);
    });

    it('places an order priced from the catalogue through the place-order handler', async () => {
      const product = await s.call('POST', '/products', { token: admin.token, body: { sku: 'MUG-1', name: 'Mug', unitPrice: '12.50', currency: 'EUR' } });
      expect(product.status).toBe(201);
      const order = await s.call('POST', '/orders', {
        token: shopper.token,
        body: { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product: product.body.id, quantity: 2 }] },
      });
      expect(order.status).toBe(201);
      expect(order.headers.get('location')).toBe(`/api/v1/orders/${order.body.id}`);
      expect(order.body).toMatchObject({ customer: shopper.id, total: '25.00', items: [{ quantity: 2, lineTotal: '25.00' }] });
      expect((await outboxRows(s.storage)).map((e) => e.name)).toContain('order.placed');
      const mine = await s.call('GET', '/orders', { token: shopper.token });
      expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([order.body.id]);
    });

    it('returns the handler\'s own problem code and rolls nothing back for it', async () => {
      const r = await s.call('POST', '/orders', { token: shopper.token, body: { currency: 'EUR', shippingAddress: 'x', items: [] } });
      expect(r.status).toBe(422);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ code: 'items_invalid', status: 422 });
    });
  });

  describe('telehealth', () => {
    let s: Served;
    beforeAll(async () => { s = await serve('telehealth', engine); }, 60_000);
    afterAll(async () => s?.close());

    it('exports a patient\'s own data through the export-my-data handler', async () => {
      const patient = await s.account('pat@example.com', { fields: { name: 'Pat' } });
      const r = await s.call('GET', '/me/export', { token: patient.token });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ account: { email: 'pat@example.com', name: 'Pat' }, profile: null, appointments: [] });
    });
  });
});
