import { expect, it } from 'vitest';
import type { Storage } from '../../src/adapters/storage/storage.ts';
import { ForeignKeyViolationError, NotNullViolationError, UniqueViolationError } from '../../src/adapters/storage/storage-errors.ts';
import type { SuiteContext } from './storage-fixture.ts';

const PRODUCT = {
  name: 'Kettle', description: 'boils water', sku: 'K-1', stock: 12, weight: 1.25, price: '19.90', active: true,
  launchedAt: '2024-03-01T08:30:15.123Z', launchDay: '2024-03-01', contact: 'shop@example.com', homepage: 'https://example.com/k',
  externalId: '6f1c2b0e-9d7a-4c1e-8a55-3b2f9e0d1c44', attributes: { colours: ['red', 'blue'], watts: 2200, nested: { ok: true } },
  score: 4.5,
};

/** A user, a category and the storage, the starting point of most record tests. */
export async function seeded(ctx: SuiteContext): Promise<{ s: Storage; user: string; category: string }> {
  const s = await ctx.open();
  const user = (await s.insert('User', { email: 'ada@example.com' })).id as string;
  await s.insert('Category', { code: 'kitchen', title: 'Kitchen' });
  return { s, user, category: 'kitchen' };
}

/** CRUD, ids, defaults, type fidelity, constraint errors, references and many-to-many fields. */
export function recordTests(ctx: SuiteContext): void {
  it('round-trips every scalar type exactly and manages id, version and timestamps', async () => {
    const { s, category } = await seeded(ctx);
    const before = Date.now();
    const created = await s.insert('Product', { ...PRODUCT, category });
    expect(created).toMatchObject({ ...PRODUCT, category, status: 'draft', version: 1 });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(created.createdAt as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(created.updatedAt).toBe(created.createdAt);
    expect(await s.get('Product', created.id as string)).toEqual(created);
    const precise = await s.insert('Product', { ...PRODUCT, sku: 'K-2', price: '12345678901234.000001', weight: 0.1, stock: -3, active: false, attributes: [1, 'two', null], category });
    expect(await s.get('Product', precise.id as string)).toMatchObject({ price: '12345678901234.000001', weight: 0.1, stock: -3, active: false, attributes: [1, 'two', null] });
  });

  it('gets nothing for an absent or malformed id, and getMany returns the present ones', async () => {
    const { s, user } = await seeded(ctx);
    const a = await s.insert('Note', { author: user, body: 'a' });
    const b = await s.insert('Note', { author: user, body: 'b' });
    expect(await s.get('Note', '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await s.get('Note', 'not-a-uuid')).toBeUndefined();
    expect(await s.get('Folder', 'x')).toBeUndefined();
    const many = await s.getMany('Note', [b.id as string, 'nope', a.id as string, a.id as string]);
    expect(many.map((n) => n.body).sort()).toEqual(['a', 'b']);
    expect(await s.update('Note', 'not-a-uuid', { body: 'x' })).toBeUndefined();
    expect(await s.delete('Note', '00000000-0000-4000-8000-000000000000')).toBe(false);
  });

  it('generates serial, short and uuid ids and requires client ids', async () => {
    const { s } = await seeded(ctx);
    const f1 = await s.insert('Folder', { name: 'one' });
    const f2 = await s.insert('Folder', { name: 'two' });
    expect(typeof f1.id).toBe('number');
    expect(f2.id as number).toBeGreaterThan(f1.id as number);
    expect(await s.get('Folder', String(f2.id))).toMatchObject({ name: 'two' });
    const tags = await Promise.all(['a', 'b', 'c'].map((label) => s.insert('Tag', { label })));
    for (const t of tags) expect(t.id).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(new Set(tags.map((t) => t.id)).size).toBe(3);
    await expect(s.insert('Category', { title: 'no code' })).rejects.toMatchObject({ name: 'NotNullViolationError', field: 'code' });
    await expect(s.insert('Category', { code: 'kitchen', title: 'again' })).rejects.toMatchObject({ name: 'UniqueViolationError', entity: 'Category', field: 'code' });
    expect(await s.get('Category', 'kitchen')).toEqual({ code: 'kitchen', title: 'Kitchen', version: 1 });
  });

  it('applies defaults and reports unique and not-null violations with the field', async () => {
    const { s, user, category } = await seeded(ctx);
    expect(await s.get('User', user)).toMatchObject({ role: 'user' });
    expect(await s.insert('Note', { author: user, body: 'x' })).toMatchObject({ pinned: false, rank: null, folder: null, tags: [] });
    await s.insert('Product', { ...PRODUCT, category });
    const dup = s.insert('Product', { ...PRODUCT, category });
    await expect(dup).rejects.toBeInstanceOf(UniqueViolationError);
    await expect(dup).rejects.toMatchObject({ entity: 'Product', field: 'sku' });
    const missing = s.insert('Product', { ...PRODUCT, sku: 'other', name: undefined, category });
    await expect(missing).rejects.toBeInstanceOf(NotNullViolationError);
    await expect(missing).rejects.toMatchObject({ field: 'name' });
    await expect(s.update('User', user, { email: null })).rejects.toMatchObject({ name: 'NotNullViolationError', field: 'email' });
  });

  it('rejects references to absent records and honours cascade, restrict and set-null', async () => {
    const { s, user, category } = await seeded(ctx);
    const ghost = '00000000-0000-4000-8000-000000000001';
    const bad = s.insert('Note', { author: ghost, body: 'x' });
    await expect(bad).rejects.toBeInstanceOf(ForeignKeyViolationError);
    await expect(bad).rejects.toMatchObject({ entity: 'Note', field: 'author', referenced: 'User', action: 'write' });
    const folder = await s.insert('Folder', { name: 'inbox' });
    const note = await s.insert('Note', { author: user, body: 'x', folder: folder.id });
    const product = await s.insert('Product', { ...PRODUCT, category });
    await expect(s.delete('Category', category)).rejects.toMatchObject({ name: 'ForeignKeyViolationError', entity: 'Product', field: 'category', action: 'delete' });
    expect(await s.get('Category', category)).toBeDefined();
    expect(await s.delete('Folder', String(folder.id))).toBe(true);
    expect(await s.get('Note', note.id as string)).toMatchObject({ folder: null });
    expect(await s.delete('Product', product.id as string)).toBe(true);
    expect(await s.delete('Category', category)).toBe(true);
    expect(await s.delete('User', user)).toBe(true);
    expect(await s.get('Note', note.id as string, { includeDeleted: true })).toBeUndefined();
  });

  it('reads and writes many-to-many fields as arrays of ids through the join table', async () => {
    const { s, user } = await seeded(ctx);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((label) => s.insert('Tag', { label })));
    const ids = [a!.id, b!.id, c!.id] as string[];
    const note = await s.insert('Note', { author: user, body: 'x', tags: [ids[2], ids[0], ids[2]] });
    expect(note.tags).toEqual([ids[0], ids[2]].sort());
    const updated = await s.update('Note', note.id as string, { tags: [ids[1]] });
    expect(updated).toMatchObject({ tags: [ids[1]], version: 2 });
    expect(await s.update('Note', note.id as string, { body: 'y' })).toMatchObject({ tags: [ids[1]] });
    const other = await s.insert('Note', { author: user, body: 'z' });
    const tagged = await s.list('Note', { limit: 10, filters: [{ field: 'tags', op: 'eq', value: ids[1] }] });
    expect(tagged.items.map((n) => n.id)).toEqual([note.id]);
    const untagged = await s.list('Note', { limit: 10, filters: [{ field: 'tags', op: 'isNull', value: true }] });
    expect(untagged.items.map((n) => n.id)).toEqual([other.id]);
    await expect(s.insert('Note', { author: user, body: 'x', tags: ['nonexist'] })).rejects.toMatchObject({ name: 'ForeignKeyViolationError', field: 'tags', referenced: 'Tag' });
    await expect(s.delete('Tag', ids[1]!)).rejects.toMatchObject({ name: 'ForeignKeyViolationError', entity: 'Note', field: 'tags', action: 'delete' });
    expect(await s.delete('Tag', ids[0]!)).toBe(true);
  });

  it('hides soft-deleted records unless asked, and cannot update or delete them again', async () => {
    const { s, user } = await seeded(ctx);
    const note = await s.insert('Note', { author: user, body: 'x' });
    const kept = await s.insert('Note', { author: user, body: 'y' });
    expect(await s.delete('Note', note.id as string)).toBe(true);
    expect(await s.get('Note', note.id as string)).toBeUndefined();
    const hidden = await s.get('Note', note.id as string, { includeDeleted: true });
    expect(hidden).toMatchObject({ body: 'x', version: 2 });
    expect(typeof hidden!.deletedAt).toBe('string');
    expect((await s.list('Note', { limit: 10, count: true })).items.map((n) => n.id)).toEqual([kept.id]);
    const all = await s.list('Note', { limit: 10, count: true, includeDeleted: true });
    expect(all.total).toBe(2);
    expect(await s.getMany('Note', [note.id as string])).toEqual([]);
    expect(await s.update('Note', note.id as string, { body: 'z' })).toBeUndefined();
    expect(await s.delete('Note', note.id as string)).toBe(false);
  });

  it('removes rows for good with hard, soft-deleted ones included, and updates a soft-deleted record when asked', async () => {
    const { s, user } = await seeded(ctx);
    const live = await s.insert('Note', { author: user, body: 'live' });
    const gone = await s.insert('Note', { author: user, body: 'gone' });
    await s.delete('Note', gone.id as string);
    const changed = await s.update('Note', gone.id as string, { body: 'erased' }, { includeDeleted: true });
    expect(changed).toMatchObject({ body: 'erased', version: 3, deletedAt: expect.any(String) });
    expect(await s.delete('Note', live.id as string, { hard: true })).toBe(true);
    expect(await s.delete('Note', gone.id as string, { hard: true })).toBe(true);
    expect(await s.get('Note', live.id as string, { includeDeleted: true })).toBeUndefined();
    expect(await s.get('Note', gone.id as string, { includeDeleted: true })).toBeUndefined();
    expect(await s.delete('Note', gone.id as string, { hard: true })).toBe(false);
  });

  it('applies updates and deletes only at the expected version', async () => {
    const { s, user } = await seeded(ctx);
    const note = await s.insert('Note', { author: user, body: 'v1' });
    const v2 = await s.update('Note', note.id as string, { body: 'v2' }, { expectedVersion: 1 });
    expect(v2).toMatchObject({ body: 'v2', version: 2 });
    expect(Date.parse((v2 as { updatedAt: string }).updatedAt)).toBeGreaterThanOrEqual(Date.parse(note.updatedAt as string));
    expect(await s.update('Note', note.id as string, { body: 'stale' }, { expectedVersion: 1 })).toEqual({ conflict: 'version', currentVersion: 2 });
    expect(await s.delete('Note', note.id as string, { expectedVersion: 1 })).toEqual({ conflict: 'version', currentVersion: 2 });
    expect(await s.get('Note', note.id as string)).toMatchObject({ body: 'v2', version: 2 });
    expect(await s.delete('Note', note.id as string, { expectedVersion: 2 })).toBe(true);
    const folder = await s.insert('Folder', { name: 'f' });
    expect(await s.delete('Folder', String(folder.id), { expectedVersion: 7 })).toEqual({ conflict: 'version', currentVersion: 1 });
  });

  it('commits a transaction together and rolls everything back when it throws', async () => {
    const { s, user } = await seeded(ctx);
    const kept = await s.transaction(async (tx) => {
      const n = await tx.insert('Note', { author: user, body: 'kept' });
      await tx.setPasswordHash(user, 'hash-1');
      return n;
    });
    expect(await s.get('Note', kept.id as string)).toBeDefined();
    let inside: string | undefined;
    await expect(s.transaction(async (tx) => {
      inside = (await tx.insert('Note', { author: user, body: 'lost' })).id as string;
      await tx.update('Note', kept.id as string, { body: 'changed' });
      await tx.setPasswordHash(user, 'hash-2');
      expect(await tx.get('Note', inside)).toBeDefined();
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await s.get('Note', inside!)).toBeUndefined();
    expect(await s.get('Note', kept.id as string)).toMatchObject({ body: 'kept', version: 1 });
    expect(await s.system.getPasswordHash(user)).toBe('hash-1');
    await expect(s.transaction(async (tx) => {
      await tx.insert('Note', { author: user, body: 'first' });
      await tx.insert('User', { email: 'ada@example.com' });
    })).rejects.toBeInstanceOf(UniqueViolationError);
    expect((await s.list('Note', { limit: 10, filters: [{ field: 'body', op: 'eq', value: 'first' }] })).items).toEqual([]);
  });
}
