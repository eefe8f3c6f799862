import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, serve, type Served } from './serve-harness.ts';
import { outboxRows } from './outbox-rows.ts';

// Generated CRUD of the Linkly example over real HTTP: sign up, log in, create, list (page, filter,
// sort, fields, count, expand), get with ETag, update with If-Match, delete, ownership and admin.
describe.each(ENGINES)('archspec serve: Linkly CRUD on %s', (engine) => {
  let s: Served;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let admin: { id: string; token: string };
  const codes: string[] = [];

  beforeAll(async () => {
    s = await serve('linkly', engine);
    alice = await s.account('alice@example.com');
    bob = await s.account('bob@example.com');
    admin = await s.account('admin@example.com', { role: 'admin' });
    for (let i = 0; i < 5; i++) {
      const r = await s.call('POST', '/links', { token: alice.token, body: { target: `https://example.org/${i}`, title: `link ${i}` } });
      codes.push(r.body.code);
    }
    await s.call('POST', '/links', { token: bob.token, body: { target: 'https://bob.example/' } });
  }, 60_000);
  afterAll(async () => s?.close());

  it('signs up with a password that is never returned and a role the caller cannot choose', async () => {
    const r = await s.call('POST', '/users', { body: { email: 'carol@example.com', password: 'another long password' } });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/api/users/${r.body.id}`);
    expect(r.headers.get('etag')).toBe('W/"1"');
    expect(r.body).toMatchObject({ email: 'carol@example.com', role: 'user', version: 1 });
    expect(r.body).not.toHaveProperty('password');
  });

  it('creates a link owned by the caller, with Location and ETag', async () => {
    const r = await s.call('POST', '/links', { token: alice.token, body: { target: 'https://example.org/new' } });
    expect(r.status).toBe(201);
    expect(r.body.owner).toBe(alice.id);
    expect(r.headers.get('location')).toBe(`/api/links/${r.body.code}`);
    const again = await s.call('DELETE', `/links/${r.body.code}`, { token: alice.token });
    expect(again.status).toBe(204);
  });

  it('lists only the caller\'s links, paged by cursor with a total on demand', async () => {
    const first = await s.call('GET', '/links?limit=2&count=true&sort=createdAt', { token: alice.token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.total).toBe(5);
    expect(first.body.items.every((l: { owner: string }) => l.owner === alice.id)).toBe(true);
    const seen = [...first.body.items];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const next = await s.call('GET', `/links?limit=2&sort=createdAt&cursor=${encodeURIComponent(cursor)}`, { token: alice.token });
      seen.push(...next.body.items);
      cursor = next.body.nextCursor;
    }
    expect(seen.map((l) => l.code).sort()).toEqual([...codes].sort());
  });

  it('filters, sorts and selects fields', async () => {
    const filtered = await s.call('GET', `/links?code[in]=${codes[0]},${codes[1]}&sort=-code&fields=code,target`, { token: alice.token });
    expect(filtered.status).toBe(200);
    expect(filtered.body.items.map((l: { code: string }) => l.code)).toEqual([codes[0], codes[1]].sort().reverse());
    expect(Object.keys(filtered.body.items[0]).sort()).toEqual(['code', 'target']);
    const none = await s.call('GET', '/links?expiresAt[lt]=2000-01-01T00:00:00Z', { token: alice.token });
    expect(none.body.items).toEqual([]);
  });

  it('expands a reference into the related record', async () => {
    const r = await s.call('GET', `/links?expand=owner&limit=1`, { token: alice.token });
    expect(r.status).toBe(200);
    expect(r.body.items[0].owner).toMatchObject({ id: alice.id, email: 'alice@example.com' });
  });

  it('gets one link with its ETag and updates it only with a current If-Match', async () => {
    const code = codes[0]!;
    const got = await s.call('GET', `/links/${code}`, { token: alice.token });
    expect(got.status).toBe(200);
    const etag = got.headers.get('etag')!;
    expect(etag).toBe(`W/"${got.body.version}"`);
    const missing = await s.call('PATCH', `/links/${code}`, { token: alice.token, body: { title: 'renamed' } });
    expect(missing.status).toBe(428);
    expect(missing.body.code).toBe('precondition_required');
    const updated = await s.call('PATCH', `/links/${code}`, { token: alice.token, body: { title: 'renamed' }, headers: { 'if-match': etag } });
    expect(updated.status).toBe(200);
    expect(updated.body.title).toBe('renamed');
    expect(updated.headers.get('etag')).toBe(`W/"${got.body.version + 1}"`);
    const stale = await s.call('PATCH', `/links/${code}`, { token: alice.token, body: { title: 'lost update' }, headers: { 'if-match': etag } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers 404 for another user\'s link on get, update and delete', async () => {
    const code = codes[1]!;
    for (const [method, body] of [['GET', undefined], ['PATCH', { title: 'x' }], ['DELETE', undefined]] as const) {
      const r = await s.call(method, `/links/${code}`, { token: bob.token, body, headers: { 'if-match': 'W/"1"' } });
      expect(r.status, method).toBe(404);
      expect(r.body.code).toBe('not_found');
    }
    const bobs = await s.call('GET', '/links', { token: bob.token });
    expect(bobs.body.items.map((l: { owner: string }) => l.owner)).toEqual([bob.id]);
    const visits = await s.call('GET', `/links/${code}/visits`, { token: bob.token });
    expect(visits.status).toBe(404);
  });

  it('lets an admin see every user\'s links', async () => {
    const r = await s.call('GET', '/links?count=true', { token: admin.token });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(6);
    const other = await s.call('GET', `/links/${codes[2]}`, { token: admin.token });
    expect(other.status).toBe(200);
  });

  it('shows a user their own account with personal data, and nobody else\'s', async () => {
    const own = await s.call('GET', `/users/${alice.id}`, { token: alice.token });
    expect(own.status).toBe(200);
    expect(own.body.email).toBe('alice@example.com');
    const other = await s.call('GET', `/users/${bob.id}`, { token: alice.token });
    expect(other.status).toBe(404);
  });

  it('deletes softly: the link disappears, a stale If-Match is refused first', async () => {
    const code = codes[4]!;
    const stale = await s.call('DELETE', `/links/${code}`, { token: alice.token, headers: { 'if-match': 'W/"99"' } });
    expect(stale.status).toBe(412);
    const deleted = await s.call('DELETE', `/links/${code}`, { token: alice.token });
    expect(deleted.status).toBe(204);
    expect((await s.call('GET', `/links/${code}`, { token: alice.token })).status).toBe(404);
    expect(await s.storage.get('Link', code, { includeDeleted: true })).toMatchObject({ code, deletedAt: expect.any(String) });
  });

  it('redirects a short code through the custom handler and records the event', async () => {
    const r = await s.call('GET', `/r/${codes[0]}`);
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('https://example.org/0');
    expect((await outboxRows(s.storage)).at(-1)).toMatchObject({ name: 'link.visited', payload: { link: codes[0] } });
    const unknown = await s.call('GET', '/r/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
  });
});
