import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, serve, type Served } from './serve-harness.ts';

/**
 * Linkly with shared links: users may read every link (Link:read, and GET /links without scope own)
 * but still only their own account (User:read:own); an `auditor` reads links and no users at all.
 */
function sharedLinks(spec: string): string {
  const edits: [RegExp, string][] = [
    [/user: \[Link:create, Link:read:own,/, 'user: [Link:create, Link:read,'],
    [/^(\s+)admin: \["\*"\]$/m, '$1admin: ["*"]\n$1auditor: [Link:read]'],
    [/role: \{ type: enum, values: \[user, admin\]/, 'role: { type: enum, values: [user, admin, auditor]'],
    [/GET \/links:( +)\{ does: list Link, roles: \[user, admin\], scope: own,/, 'GET /links:$1{ does: list Link, roles: [user, admin, auditor],'],
  ];
  return edits.reduce((text, [pattern, replacement]) => {
    if (!pattern.test(text)) throw new Error(`the Linkly spec no longer matches ${pattern}: update sharedLinks`);
    return text.replace(pattern, replacement);
  }, spec);
}

// `expand` follows the related entity's read permission: a reference is replaced by the related record
// only when the caller may read that record; an own-scoped permission expands only the caller's own.
describe.each(ENGINES)('archspec serve: expand respects read permissions on %s', (engine) => {
  let s: Served;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let auditor: { id: string; token: string };
  let admin: { id: string; token: string };

  beforeAll(async () => {
    s = await serve('linkly', engine, { spec: sharedLinks });
    alice = await s.account('alice@example.com');
    bob = await s.account('bob@example.com');
    auditor = await s.account('audit@example.com', { role: 'auditor' });
    admin = await s.account('admin@example.com', { role: 'admin' });
    await s.call('POST', '/links', { token: alice.token, body: { target: 'https://alice.example/' } });
    await s.call('POST', '/links', { token: bob.token, body: { target: 'https://bob.example/' } });
  }, 60_000);
  afterAll(async () => s?.close());

  const owners = async (token: string) => {
    const r = await s.call('GET', '/links?expand=owner', { token });
    expect(r.status).toBe(200);
    const items = r.body.items as { target: string; owner: unknown }[];
    return items.sort((a, b) => a.target.localeCompare(b.target)).map((l) => [l.target, l.owner]);
  };

  it('expands the caller\'s own account and leaves another user\'s as just its id (User:read:own)', async () => {
    expect(await owners(alice.token)).toEqual([
      ['https://alice.example/', expect.objectContaining({ id: alice.id, email: 'alice@example.com' })],
      ['https://bob.example/', bob.id],
    ]);
    expect(await owners(bob.token)).toEqual([
      ['https://alice.example/', alice.id],
      ['https://bob.example/', expect.objectContaining({ id: bob.id, email: 'bob@example.com' })],
    ]);
  });

  it('refuses with 422 naming the field when the caller may not read the related entity at all', async () => {
    const r = await s.call('GET', '/links?expand=owner', { token: auditor.token });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'validation_failed', errors: [{ pointer: '/query/expand', detail: expect.stringContaining('"owner"') }] });
    expect(r.body.errors[0].detail).toContain('User:read');
    const plain = await s.call('GET', '/links', { token: auditor.token });
    expect(plain.body.items.map((l: { owner: unknown }) => typeof l.owner)).toEqual(['string', 'string']);
  });

  it('expands every owner for a role that reads all users', async () => {
    expect(await owners(admin.token)).toEqual([
      ['https://alice.example/', expect.objectContaining({ id: alice.id })],
      ['https://bob.example/', expect.objectContaining({ id: bob.id })],
    ]);
  });
});
