import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_TABLE } from '../../src/adapters/storage/system-tables/audit-tables.ts';
import { ENGINES, serve, type Served } from './serve-harness.ts';

/**
 * Personal-data export and erasure over real HTTP (GDPR Art. 15, 17, 20): what the export holds and
 * never holds, what erasure deletes, keeps under retention and anonymizes, and that the erased
 * account can do nothing afterwards.
 */

const PASSWORD = 'correct horse battery staple';

async function signIn(s: Served, email: string): Promise<{ accessToken: string; refreshToken: string }> {
  const login = await s.call('POST', '/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return login.body;
}

describe.each(ENGINES)('archspec serve: personal data of linkly on %s', (engine) => {
  let s: Served;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let admin: { id: string; token: string };
  let withVisits: string;
  let withoutVisits: string;
  let softDeleted: string;
  let bobsLink: string;

  const link = async (token: string, target: string) => {
    const created = await s.call('POST', '/links', { token, body: { target, title: `title of ${target}` } });
    expect(created.status).toBe(201);
    return String(created.body.code);
  };
  const visit = (code: string, country: string) => s.storage.insert('Visit', { link: code, at: new Date().toISOString(), country });

  beforeAll(async () => {
    s = await serve('linkly', engine);
    alice = await s.account('alice@example.com', { fields: { name: 'Alice Liddell' } });
    bob = await s.account('bob@example.com', { fields: { name: 'Bob Builder' } });
    admin = await s.account('admin@example.com', { role: 'admin' });
    withVisits = await link(alice.token, 'https://example.com/visited');
    withoutVisits = await link(alice.token, 'https://example.com/unvisited');
    softDeleted = await link(alice.token, 'https://example.com/deleted');
    expect((await s.call('DELETE', `/links/${softDeleted}`, { token: alice.token })).status).toBe(204);
    bobsLink = await link(bob.token, 'https://example.com/bob');
    await visit(withVisits, 'DE');
    await visit(withVisits, 'FR');
    await visit(bobsLink, 'US');
  }, 60_000);
  afterAll(async () => s?.close());

  it('answers 401 to anonymous callers on every personal-data route', async () => {
    for (const [method, path] of [['GET', '/privacy/export'], ['POST', '/privacy/erase'], ['GET', `/privacy/subjects/${bob.id}/export`], ['POST', `/privacy/subjects/${bob.id}/erase`]] as const) {
      const answer = await s.call(method, path);
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.body.code).toBe('unauthenticated');
    }
  });

  it("exports the caller's own records with their personal data, soft-deleted ones included, and nobody else's", async () => {
    const answer = await s.call('GET', '/privacy/export', { token: alice.token });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="linkly-user-[a-z0-9-]+-export\.json"$/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const data = answer.body;
    expect(data.subject).toEqual({ entity: 'User', id: alice.id });
    expect(data.records.User).toEqual([expect.objectContaining({ id: alice.id, email: 'alice@example.com', name: 'Alice Liddell' })]);
    expect(data.records.Link.map((l: any) => l.code).sort()).toEqual([withVisits, withoutVisits, softDeleted].sort());
    expect(data.records.Link.find((l: any) => l.code === softDeleted).deletedAt).toEqual(expect.any(String));
    expect(data.records.Visit.map((v: any) => v.country).sort()).toEqual(['DE', 'FR']);
    expect(data.truncated).toEqual([]);
    const text = JSON.stringify(data);
    // Bob's visit is the only one from the US; match the field, since a random short code may contain "US".
    for (const foreign of [bob.id, bobsLink, 'bob@example.com', '"country":"US"']) expect(text).not.toContain(foreign);
    expect(text).not.toMatch(/password|\$argon2/i);
  });

  it('refuses the self-service routes to an API key, and the subject routes to callers who may not delete every User', async () => {
    const key = await s.call('POST', '/auth/api-keys', { token: bob.token, body: {} });
    expect(key.status).toBe(201);
    const viaKey = await s.call('GET', '/privacy/export', { headers: { 'x-api-key': key.body.key } });
    expect(viaKey.status).toBe(403);
    expect((await s.call('POST', '/privacy/erase', { headers: { 'x-api-key': key.body.key } })).status).toBe(403);
    const notAdmin = await s.call('POST', `/privacy/subjects/${alice.id}/erase`, { token: bob.token });
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.code).toBe('forbidden');
    expect((await s.call('GET', `/privacy/subjects/${alice.id}/export`, { token: bob.token })).status).toBe(403);
  });

  it("lets an administrator export a named subject's data; unknown and malformed ids are refused", async () => {
    const answer = await s.call('GET', `/privacy/subjects/${bob.id}/export`, { token: admin.token });
    expect(answer.status).toBe(200);
    expect(answer.body.records.Link.map((l: any) => l.code)).toEqual([bobsLink]);
    expect(answer.body.records.Visit.map((v: any) => v.country)).toEqual(['US']);
    expect(JSON.stringify(answer.body)).not.toContain('alice@example.com');
    expect((await s.call('GET', '/privacy/subjects/00000000-0000-4000-8000-000000000000/export', { token: admin.token })).status).toBe(404);
    expect((await s.call('GET', '/privacy/subjects/not-an-id/export', { token: admin.token })).status).toBe(422);
  });

  it('erases the caller: links without visits deleted, visited links and visits kept under retention, the account anonymized and locked out', async () => {
    const session = await signIn(s, 'alice@example.com');
    const key = await s.call('POST', '/auth/api-keys', { token: session.accessToken, body: {} });
    const answer = await s.call('POST', '/privacy/erase', { token: alice.token });
    expect(answer.status).toBe(200);
    const summary = answer.body;
    expect(summary).toMatchObject({ subject: { entity: 'User', id: alice.id }, subjectRecord: 'anonymized', credentialsRemoved: true });
    expect(summary.entities.Link).toMatchObject({ deleted: 2, kept: 1, keptBecause: [expect.stringContaining('Visit.link, onDelete cascade')] });
    expect(summary.entities.Visit).toMatchObject({ deleted: 0, kept: 2, anonymized: 0, keptBecause: [expect.stringContaining('retention: Visit records are kept 400d')] });
    expect(summary.entities.User).toMatchObject({ deleted: 0, kept: 1, anonymized: 1, keptBecause: [expect.stringContaining('Link.owner, onDelete cascade')] });

    // What the database holds now.
    const user = await s.storage.get('User', alice.id, { includeDeleted: true });
    expect(user).toMatchObject({ email: `erased-${alice.id}@invalid.example`, name: null });
    expect(await s.storage.get('Link', withoutVisits, { includeDeleted: true })).toBeUndefined();
    expect(await s.storage.get('Link', softDeleted, { includeDeleted: true })).toBeUndefined();
    // The visited link stays as the visits' parent, soft-deleted so it no longer redirects.
    expect((await s.storage.get('Link', withVisits, { includeDeleted: true }))?.deletedAt).toEqual(expect.any(String));
    expect((await s.call('GET', `/r/${withVisits}`)).status).toBe(404);
    const visits = await s.storage.list('Visit', { filters: [{ field: 'link', op: 'eq', value: withVisits }], limit: 10 });
    expect(visits.items.map((v) => v.country).sort()).toEqual(['DE', 'FR']);
    // Bob's records are untouched.
    expect(await s.storage.get('Link', bobsLink)).toMatchObject({ owner: bob.id });
    expect(await s.storage.get('User', bob.id)).toMatchObject({ email: 'bob@example.com', name: 'Bob Builder' });

    // The account can do nothing any more: sign in, refresh, its access token, its API key.
    expect((await s.call('POST', '/auth/login', { body: { email: 'alice@example.com', password: PASSWORD } })).status).toBe(401);
    expect((await s.call('POST', '/auth/login', { body: { email: `erased-${alice.id}@invalid.example`, password: PASSWORD } })).status).toBe(401);
    const refresh = await s.call('POST', '/auth/refresh', { body: { refreshToken: session.refreshToken } });
    expect(refresh.status).toBe(401);
    expect(refresh.body.code).toBe('invalid_token');
    const stale = await s.call('GET', '/links', { token: alice.token });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('invalid_token');
    expect((await s.call('GET', '/links', { headers: { 'x-api-key': key.body.key } })).status).toBe(401);
  });

  it('leaves audit rows naming the caller for each audited write of the erasure', async () => {
    const rows = await s.storage.kysely.selectFrom(AUDIT_TABLE).selectAll().where('actor', '=', `user:${alice.id}`).orderBy('seq').execute();
    const seen = rows.map((r) => `${r.action} ${r.entity} ${r.recordId}`);
    expect(seen).toEqual(expect.arrayContaining([`delete Link ${withoutVisits}`, `delete Link ${softDeleted}`, `delete Link ${withVisits}`, `update User ${alice.id}`]));
    const update = rows.find((r) => r.action === 'update' && r.entity === 'User');
    // The audit log shows that the personal fields changed, never what they were.
    expect(update?.before).not.toContain('alice@example.com');
    expect(update?.after).not.toContain('invalid.example');
  });

  it('lets an administrator erase a named subject; with nothing kept that references it, the account is deleted', async () => {
    const carol = await s.account('carol@example.com');
    const answer = await s.call('POST', `/privacy/subjects/${carol.id}/erase`, { token: admin.token });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ subjectRecord: 'deleted', entities: { User: { deleted: 1, kept: 0 } } });
    expect(await s.storage.get('User', carol.id, { includeDeleted: true })).toBeUndefined();
    expect((await s.call('POST', '/auth/login', { body: { email: 'carol@example.com', password: PASSWORD } })).status).toBe(401);
    expect((await s.call('GET', '/privacy/export', { token: carol.token })).status).toBe(401);
    expect((await s.call('POST', `/privacy/subjects/${carol.id}/erase`, { token: admin.token })).status).toBe(404);
  });

  it('deletes the stored Idempotency-Key answers that copy the account (its sign-up and its own keys)', async () => {
    const signUp = await s.call('POST', '/users', { body: { email: 'dora@example.com', password: PASSWORD }, headers: { 'idempotency-key': 'dora-signup-1' } });
    expect(signUp.status).toBe(201);
    const login = await s.call('POST', '/auth/login', { body: { email: 'dora@example.com', password: PASSWORD } });
    const token = String(login.body.accessToken);
    expect((await s.call('POST', '/links', { token, body: { target: 'https://example.org/d' }, headers: { 'idempotency-key': 'dora-link-1' } })).status).toBe(201);
    const stored = () => s.storage.kysely.selectFrom('_archspec_idempotency').select(['caller', 'responseBody']).execute();
    expect((await stored()).filter((r) => String(r.responseBody).includes(String(signUp.body.id)) || r.caller === signUp.body.id)).toHaveLength(2);
    const erased = await s.call('POST', '/privacy/erase', { token });
    expect(erased.status).toBe(200);
    expect(erased.body.notes).toContain('2 stored Idempotency-Key answer(s) of the account were deleted');
    const left = await stored();
    expect(left.some((r) => String(r.responseBody).includes('dora@example.com') || r.caller === signUp.body.id)).toBe(false);
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await s.call('GET', '/openapi.json', { root: true })).body;
    expect(Object.keys(doc.paths).filter((p: string) => p.startsWith('/privacy/'))).toEqual(['/privacy/export', '/privacy/erase', '/privacy/subjects/{id}/export', '/privacy/subjects/{id}/erase']);
    expect(doc.paths['/privacy/erase'].post.security).toEqual([{ bearerAuth: [] }]);
  });
});

describe.each(ENGINES)('archspec serve: personal data of payments on %s', (engine) => {
  let s: Served;
  let dave: { id: string; token: string };
  let order: string;
  let item: string;
  let payment: string;

  beforeAll(async () => {
    s = await serve('payments', engine);
    dave = await s.account('dave@example.com', { fields: { name: 'Dave Shopper' } });
    const product = await s.storage.insert('Product', { sku: 'MUG-01', name: 'Mug', unitPrice: '12.50', currency: 'EUR', active: true });
    order = String((await s.storage.insert('Order', { customer: dave.id, currency: 'EUR', total: '25.00', shippingAddress: '1 Privet Drive, Little Whinging' })).id);
    item = String((await s.storage.insert('OrderItem', { order, customer: dave.id, product: product.id, sku: 'MUG-01', description: 'Mug', quantity: 2, unitPrice: '12.50', lineTotal: '25.00' })).id);
    payment = String((await s.storage.insert('Payment', { order, customer: dave.id, amount: '25.00', currency: 'EUR', status: 'captured', processorToken: 'tok_secret_123', cardLast4: '4242' })).id);
  }, 60_000);
  afterAll(async () => s?.close());

  it('exports orders with the shipping address, never the processor token or card digits', async () => {
    const answer = await s.call('GET', '/privacy/export', { token: dave.token });
    expect(answer.status).toBe(200);
    const data = answer.body;
    expect(data.records.Order).toEqual([expect.objectContaining({ id: order, shippingAddress: '1 Privet Drive, Little Whinging' })]);
    expect(data.records.OrderItem.map((i: any) => i.id)).toEqual([item]);
    expect(data.records.Payment).toEqual([expect.not.objectContaining({ processorToken: expect.anything() })]);
    expect(JSON.stringify(data)).not.toMatch(/tok_secret_123|4242/);
    expect(data.omitted).toContainEqual({ group: 'records', entity: 'Payment', fields: ['processorToken', 'cardLast4'], why: expect.stringContaining('sensitive but not pii') });
  });

  it('erases the shopper: the account anonymized, orders and payments kept for 2555d with the address anonymized', async () => {
    const answer = await s.call('POST', '/privacy/erase', { token: dave.token });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      subjectRecord: 'anonymized',
      entities: {
        User: { kept: 1, anonymized: 1, deleted: 0 },
        Order: { kept: 1, anonymized: 1, keptBecause: [expect.stringContaining('kept 2555d')] },
        OrderItem: { kept: 1, anonymized: 0, keptBecause: [expect.stringContaining('part of a retained Order')] },
        Payment: { kept: 1, anonymized: 0 },
      },
    });
    expect(await s.storage.get('User', dave.id)).toMatchObject({ email: `erased-${dave.id}@invalid.example`, name: 'erased' });
    expect(await s.storage.get('Order', order)).toMatchObject({ shippingAddress: 'erased', total: '25.00', customer: dave.id });
    expect(await s.storage.get('OrderItem', item)).toMatchObject({ quantity: 2 });
    expect(await s.storage.get('Payment', payment)).toMatchObject({ amount: '25.00', processorToken: 'tok_secret_123' });
    expect((await s.call('POST', '/auth/login', { body: { email: 'dave@example.com', password: PASSWORD } })).status).toBe(401);
  });

  it('lets an admin (User:*) erase a named shopper, not support (User:read)', async () => {
    const admin = await s.account('admin@example.com', { role: 'admin', fields: { name: 'Ada Admin' } });
    const support = await s.account('support@example.com', { role: 'support', fields: { name: 'Sam Support' } });
    const erin = await s.account('erin@example.com', { fields: { name: 'Erin' } });
    expect((await s.call('POST', `/privacy/subjects/${erin.id}/erase`, { token: support.token })).status).toBe(403);
    const answer = await s.call('POST', `/privacy/subjects/${erin.id}/erase`, { token: admin.token });
    expect(answer.status).toBe(200);
    expect(answer.body.subjectRecord).toBe('deleted');
    expect(await s.storage.get('User', erin.id)).toBeUndefined();
  });
});
