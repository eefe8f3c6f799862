import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/adapters/storage/storage.ts';
import { requestHashOf, scopedKeyId } from '../../src/runtime/idempotency/idempotency-key.ts';
import { ENGINES, serve, type Served } from './serve-harness.ts';

// Idempotency-Key over real HTTP: the first request runs, a repeat gets its stored answer byte for
// byte without running again, a different request under the same key is refused, a key still in
// use answers 409, a 5xx is not kept, and an abandoned or expired key does not block a new request.

const FAIL_ONCE = join(process.cwd(), 'test', 'e2e', 'fixtures', 'idempotency', 'fail-once.ts');

interface RawAnswer { status: number; headers: Headers; text: string }

/** A request whose answer is kept as text, to compare replays byte for byte. */
async function post(s: Served, path: string, body: unknown, headers: Record<string, string>): Promise<RawAnswer> {
  const response = await fetch(`${s.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const bearer = (token: string, key?: string): Record<string, string> => ({ authorization: `Bearer ${token}`, ...(key === undefined ? {} : { 'idempotency-key': key }) });

async function countWhere(storage: Storage, table: string, column: string, value: string): Promise<number> {
  const row = await storage.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where(column, '=', value).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(ENGINES)('Idempotency-Key on %s', (engine) => {
  describe('linkly (POST /users and POST /links are idempotent)', () => {
    let s: Served;
    let alice: { id: string; token: string };
    let bob: { id: string; token: string };
    beforeAll(async () => {
      s = await serve('linkly', engine, {
        spec: (text) => text.replace('  endpoints:\n', `  endpoints:\n    POST /links/flaky: { handler: ${FAIL_ONCE}, roles: [user], idempotent: true, component: links }\n`),
      });
      alice = await s.account('alice@example.com');
      bob = await s.account('bob@example.com');
    }, 60_000);
    afterAll(async () => s?.close());

    it('replays the first answer byte for byte (status, body, Location, ETag) and creates one record', async () => {
      const key = randomUUID();
      const body = { target: 'https://example.com/once' };
      const first = await post(s, '/api/links', body, bearer(alice.token, key));
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const again = await post(s, '/api/links', body, bearer(alice.token, key));
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      for (const h of ['content-type', 'location', 'etag']) expect(again.headers.get(h)).toBe(first.headers.get(h));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await countWhere(s.storage, 'Link', 'target', body.target)).toBe(1);
      expect(await countWhere(s.storage, '_archspec_audit', 'recordId', JSON.parse(first.text).code)).toBe(1);
    });

    it('replays an anonymous sign-up without creating a second account', async () => {
      const key = randomUUID();
      const body = { email: 'carol@example.com', password: 'correct horse battery staple' };
      const first = await post(s, '/api/users', body, { 'idempotency-key': key });
      const again = await post(s, '/api/users', body, { 'idempotency-key': key });
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });

    it('answers 422 idempotency_key_reused for the same key with another body or URL, creating nothing', async () => {
      const key = randomUUID();
      expect((await post(s, '/api/links', { target: 'https://example.com/one' }, bearer(alice.token, key))).status).toBe(201);
      const other = await post(s, '/api/links', { target: 'https://example.com/two' }, bearer(alice.token, key));
      expect(other.status).toBe(422);
      expect(JSON.parse(other.text)).toMatchObject({ code: 'idempotency_key_reused' });
      expect(await countWhere(s.storage, 'Link', 'target', 'https://example.com/two')).toBe(0);
    });

    it('scopes keys by caller: another user\'s request with the same key runs', async () => {
      const key = randomUUID();
      const body = { target: 'https://example.com/shared-key' };
      const a = await post(s, '/api/links', body, bearer(alice.token, key));
      const b = await post(s, '/api/links', body, bearer(bob.token, key));
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(b.headers.get('idempotent-replayed')).toBeNull();
      expect(JSON.parse(b.text).owner).toBe(bob.id);
      expect(await countWhere(s.storage, 'Link', 'target', body.target)).toBe(2);
    });

    it('processes requests without the header normally', async () => {
      const body = { target: 'https://example.com/no-key' };
      for (let i = 0; i < 2; i++) expect((await post(s, '/api/links', body, bearer(alice.token))).status).toBe(201);
      expect(await countWhere(s.storage, 'Link', 'target', body.target)).toBe(2);
    });

    it('answers 400 for a malformed key', async () => {
      for (const key of ['k'.repeat(256), 'a\tb', 'ключ']) {
        const r = await fetch(`${s.base}/api/links`, { method: 'POST', headers: { ...bearer(alice.token), 'content-type': 'application/json', 'idempotency-key': Buffer.from(key, 'utf8').toString('latin1') }, body: '{"target":"https://example.com/bad"}' });
        expect(r.status, key).toBe(400);
        expect((await r.json()).code).toBe('bad_request');
      }
      expect(await countWhere(s.storage, 'Link', 'target', 'https://example.com/bad')).toBe(0);
    });

    it('lets one of several concurrent requests with the same key run; the others get 409 or the replay', async () => {
      const key = randomUUID();
      const body = { target: 'https://example.com/race' };
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(s, '/api/links', body, bearer(alice.token, key))));
      const ran = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
      expect(ran).toHaveLength(1);
      for (const a of answers.filter((x) => x !== ran[0])) {
        if (a.status === 409) {
          expect(JSON.parse(a.text).code).toBe('idempotency_key_in_flight');
          expect(a.headers.get('retry-after')).toBe('1');
        } else {
          expect(a.status).toBe(201);
          expect(a.text).toBe(ran[0]!.text);
        }
      }
      expect(await countWhere(s.storage, 'Link', 'target', body.target)).toBe(1);
    });

    it('does not keep a 5xx answer: the retry with the same key runs again', async () => {
      const key = randomUUID();
      const body = { target: 'https://example.com/flaky' };
      const first = await post(s, '/api/links/flaky', body, bearer(alice.token, key));
      expect(first.status).toBe(500);
      const retry = await post(s, '/api/links/flaky', body, bearer(alice.token, key));
      expect(retry.status).toBe(201);
      expect(JSON.parse(retry.text).attempt).toBe(2);
      const replay = await post(s, '/api/links/flaky', body, bearer(alice.token, key));
      expect(replay.text).toBe(retry.text);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await countWhere(s.storage, 'Link', 'target', body.target)).toBe(1);
    });

    /** A key row as a crashed or expired earlier request would have left it. */
    async function plantKey(key: string, body: unknown, row: { status: string; startedAt: Date; expiresAt: Date; response?: string }) {
      const endpoint = 'POST /links';
      await s.storage.kysely.insertInto('_archspec_idempotency').values({
        id: scopedKeyId(endpoint, alice.id, key), endpoint, caller: alice.id, key,
        requestHash: requestHashOf('POST', '/api/links', JSON.stringify(body)), status: row.status, owner: randomUUID(),
        startedAt: row.startedAt.toISOString(), createdAt: row.startedAt.toISOString(), expiresAt: row.expiresAt.toISOString(),
        responseStatus: row.response ? 201 : null, responseHeaders: row.response ? '{"content-type":"application/json"}' : null, responseBody: row.response ?? null,
      }).execute();
    }

    it('answers 409 with Retry-After while the first request is pending, and takes over a key abandoned past the takeover time', async () => {
      const now = Date.now();
      const busy = randomUUID();
      const body = { target: 'https://example.com/pending' };
      await plantKey(busy, body, { status: 'pending', startedAt: new Date(now), expiresAt: new Date(now + 3600_000) });
      const blocked = await post(s, '/api/links', body, bearer(alice.token, busy));
      expect(blocked.status).toBe(409);
      expect(blocked.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(blocked.text).code).toBe('idempotency_key_in_flight');

      const abandoned = randomUUID();
      const orphan = { target: 'https://example.com/orphan' };
      await plantKey(abandoned, orphan, { status: 'pending', startedAt: new Date(now - 5 * 60_000), expiresAt: new Date(now + 3600_000) });
      const taken = await post(s, '/api/links', orphan, bearer(alice.token, abandoned));
      expect(taken.status).toBe(201);
      expect((await post(s, '/api/links', orphan, bearer(alice.token, abandoned))).headers.get('idempotent-replayed')).toBe('true');
      expect(await countWhere(s.storage, 'Link', 'target', orphan.target)).toBe(1);
    });

    it('never runs a key whose writes committed but whose answer was lost: 409 idempotency_key_answer_lost with the record\'s Location', async () => {
      const key = randomUUID();
      const body = { target: 'https://example.com/lost-answer' };
      const now = Date.now();
      await plantKey(key, body, { status: 'committed', startedAt: new Date(now - 5 * 60_000), expiresAt: new Date(now + 3600_000) });
      await s.storage.kysely.updateTable('_archspec_idempotency').set({ responseHeaders: '{"location":"/api/links/lost1"}' })
        .where('id', '=', scopedKeyId('POST /links', alice.id, key)).execute();
      const again = await post(s, '/api/links', body, bearer(alice.token, key));
      expect(again.status).toBe(409);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.parse(again.text)).toMatchObject({ code: 'idempotency_key_answer_lost' });
      expect(JSON.parse(again.text).detail).toContain('/api/links/lost1');
      expect(again.headers.get('location')).toBe('/api/links/lost1');
      expect(await countWhere(s.storage, 'Link', 'target', body.target)).toBe(0);
    });

    it('records the created record\'s location with the commit (the fence), in the write\'s transaction', async () => {
      const key = randomUUID();
      const first = await post(s, '/api/links', { target: 'https://example.com/fenced' }, bearer(alice.token, key));
      expect(first.status).toBe(201);
      const row = await s.storage.kysely.selectFrom('_archspec_idempotency').selectAll().where('id', '=', scopedKeyId('POST /links', alice.id, key)).executeTakeFirstOrThrow();
      expect(row.status).toBe('done');
      // The stored answer's Location is the one the fence derived for the created record.
      expect(JSON.parse(String(row.responseHeaders)).location).toBe(first.headers.get('location'));
    });

    it('ignores an expired key', async () => {
      const now = Date.now();
      const key = randomUUID();
      const body = { target: 'https://example.com/expired' };
      await plantKey(key, body, { status: 'done', startedAt: new Date(now - 25 * 3600_000), expiresAt: new Date(now - 3600_000), response: '{"stale":true}' });
      const fresh = await post(s, '/api/links', body, bearer(alice.token, key));
      expect(fresh.status).toBe(201);
      expect(fresh.headers.get('idempotent-replayed')).toBeNull();
      expect(JSON.parse(fresh.text).target).toBe(body.target);
    });
  });

  describe('linkly with a zero takeover time (every repeat takes a pending key over)', () => {
    let s: Served;
    let alice: { id: string; token: string };
    beforeAll(async () => {
      s = await serve('linkly', engine, { idempotency: { takeoverMs: 0 } });
      alice = await s.account('alice@example.com');
    }, 60_000);
    afterAll(async () => s?.close());

    it('commits one request\'s writes per key: a request whose key was taken over rolls back and answers 409', async () => {
      for (let round = 0; round < 3; round++) {
        const key = randomUUID();
        const body = { target: `https://example.com/takeover-race-${round}` };
        const answers = await Promise.all(Array.from({ length: 6 }, () => post(s, '/api/links', body, bearer(alice.token, key))));
        // Without the fence, each request that took the key over would insert its own link.
        expect(await countWhere(s.storage, 'Link', 'target', body.target)).toBe(1);
        const created = answers.filter((a) => a.status === 201);
        expect(created.length).toBeGreaterThan(0);
        for (const a of created) expect(JSON.parse(a.text).code).toBe(JSON.parse(created[0]!.text).code);
        for (const a of answers.filter((x) => x.status !== 201)) {
          expect(a.status).toBe(409);
          // in flight, or (with no takeover time) committed by another request that has not stored its answer yet
          expect(['idempotency_key_in_flight', 'idempotency_key_answer_lost']).toContain(JSON.parse(a.text).code);
        }
        // However the race went, the key now replays the one link.
        const replay = await post(s, '/api/links', body, bearer(alice.token, key));
        expect(replay.status).toBe(201);
        expect(JSON.parse(replay.text).code).toBe(JSON.parse(created[0]!.text).code);
      }
    });
  });

  describe('payments (POST /orders is a custom idempotent handler)', () => {
    let s: Served;
    let shopper: { id: string; token: string };
    let product: string;
    beforeAll(async () => {
      s = await serve('payments', engine);
      shopper = await s.account('shopper@example.com', { fields: { name: 'Sam' } });
      const admin = await s.account('admin@example.com', { role: 'admin', fields: { name: 'Ada' } });
      product = (await s.call('POST', '/products', { token: admin.token, body: { sku: 'MUG-1', name: 'Mug', unitPrice: '12.50', currency: 'EUR' } })).body.id;
    }, 60_000);
    afterAll(async () => s?.close());

    it('replays a placed order without running the handler again: one order, one outbox event', async () => {
      const key = randomUUID();
      const body = { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product, quantity: 1 }] };
      const first = await post(s, '/api/v1/orders', body, bearer(shopper.token, key));
      expect(first.status).toBe(201);
      const again = await post(s, '/api/v1/orders', body, bearer(shopper.token, key));
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('location')).toBe(first.headers.get('location'));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await countWhere(s.storage, 'Order', 'customer', shopper.id)).toBe(1);
      expect(await countWhere(s.storage, '_archspec_outbox', 'event', 'order.placed')).toBe(1);
    });

    it('stores a handler\'s 4xx answer like any other', async () => {
      const key = randomUUID();
      const body = { currency: 'EUR', shippingAddress: 'x', items: [] };
      const first = await post(s, '/api/v1/orders', body, bearer(shopper.token, key));
      expect(first.status).toBe(422);
      const again = await post(s, '/api/v1/orders', body, bearer(shopper.token, key));
      expect([again.status, again.text, again.headers.get('content-type')]).toEqual([422, first.text, first.headers.get('content-type')]);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    });
  });
});
