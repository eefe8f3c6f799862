import { expect, it } from 'vitest';
import fc from 'fast-check';
import type { ListQuery, Row, Storage } from '../../src/adapters/storage/storage.ts';
import { InvalidCursorError } from '../../src/adapters/storage/storage-errors.ts';
import type { SuiteContext } from './storage-fixture.ts';
import { seeded } from './records.suite.ts';

type Sort = NonNullable<ListQuery['sort']>;

const SORTS: Sort[] = [
  [],
  [{ field: 'rank', direction: 'asc' }],
  [{ field: 'rank', direction: 'desc' }, { field: 'body', direction: 'asc' }],
  [{ field: 'pinned', direction: 'desc' }, { field: 'rank', direction: 'asc' }],
  [{ field: 'body', direction: 'desc' }, { field: 'id', direction: 'desc' }],
  [{ field: 'createdAt', direction: 'asc' }],
];

/** JS order matching the storage contract: nulls last ascending, first descending; id ascending last. */
function compare(sort: Sort, a: Row, b: Row): number {
  const keys = [...sort.filter((s) => s.field !== 'id'), sort.find((s) => s.field === 'id') ?? { field: 'id', direction: 'asc' as const }];
  for (const { field, direction } of keys) {
    const x = a[field] as string | number | boolean | null;
    const y = b[field] as string | number | boolean | null;
    if (x === y) continue;
    const sign = direction === 'asc' ? 1 : -1;
    if (x === null) return sign;
    if (y === null) return -sign;
    return (x < y ? -1 : 1) * sign;
  }
  return 0;
}

async function walk(s: Storage, query: Omit<ListQuery, 'cursor'>): Promise<{ ids: unknown[]; pages: number; total?: number }> {
  const ids: unknown[] = [];
  let cursor: string | undefined;
  let pages = 0;
  let total: number | undefined;
  do {
    const page = await s.list('Note', { ...query, cursor, count: pages === 0 });
    if (pages === 0) total = page.total;
    ids.push(...page.items.map((i) => i.id));
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 200);
  return { ids, pages, total };
}

/** Keyset pagination, sorting, filters, field selection and counts. */
export function listingTests(ctx: SuiteContext): void {
  it('walks every matching record exactly once, in order, for any page size and sort', async () => {
    const { s } = await seeded(ctx);
    let run = 0;
    const note = fc.record({ rank: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), pinned: fc.boolean(), body: fc.constantFrom('a', 'b', 'c') });
    await fc.assert(fc.asyncProperty(fc.array(note, { maxLength: 14 }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(...SORTS), async (notes, limit, sort) => {
      // Each run writes under its own author, so runs share the database without seeing each other.
      const author = (await s.insert('User', { email: `run${run++}@example.com` })).id;
      for (const n of notes) await s.insert('Note', { ...n, author });
      const filters = [{ field: 'author', op: 'eq' as const, value: author }];
      const { ids, total } = await walk(s, { limit, sort, filters });
      const all = (await s.list('Note', { limit: 1000, filters })).items;
      expect(total).toBe(notes.length);
      expect(ids.length).toBe(notes.length);
      expect(new Set(ids).size).toBe(notes.length);
      const expected = [...all].sort((a, b) => compare(sort, a, b)).map((r) => r.id);
      expect(ids).toEqual(expected);
    }), { numRuns: 12 });
  });

  it('filters by every operator, with decimals compared as numbers and timestamps in time order', async () => {
    const { s, category } = await seeded(ctx);
    const base = { stock: 1, weight: 1, active: true, launchDay: '2024-01-01', category };
    await s.insert('Product', { ...base, name: 'Alpha', sku: 'A', price: '9.5', launchedAt: '2024-01-01T00:00:00.000Z', score: 1 });
    await s.insert('Product', { ...base, name: 'beta', sku: 'B', price: '10.25', launchedAt: '2024-06-01T00:00:00.000Z', status: 'live', active: false });
    await s.insert('Product', { ...base, name: 'Gamma', sku: 'C', price: '100', launchedAt: '2025-01-01T00:00:00+02:00', score: 3 });
    const names = async (filters: ListQuery['filters']) =>
      (await s.list('Product', { limit: 10, filters, sort: [{ field: 'sku', direction: 'asc' }] })).items.map((p) => p.name);
    expect(await names([{ field: 'price', op: 'gt', value: '9.9' }])).toEqual(['beta', 'Gamma']);
    expect(await names([{ field: 'price', op: 'lte', value: 10.25 }])).toEqual(['Alpha', 'beta']);
    expect(await names([{ field: 'price', op: 'eq', value: '10.250' }])).toEqual(['beta']);
    expect(await names([{ field: 'launchedAt', op: 'gte', value: '2024-06-01T00:00:00Z' }])).toEqual(['beta', 'Gamma']);
    expect(await names([{ field: 'launchedAt', op: 'lt', value: '2024-12-31T21:00:00.000Z' }])).toEqual(['Alpha', 'beta']);
    expect(await names([{ field: 'status', op: 'ne', value: 'live' }])).toEqual(['Alpha', 'Gamma']);
    expect(await names([{ field: 'status', op: 'in', value: ['live', 'gone'] }])).toEqual(['beta']);
    expect(await names([{ field: 'status', op: 'in', value: [] }])).toEqual([]);
    expect(await names([{ field: 'name', op: 'like', value: 'g%' }])).toEqual(['Gamma']);
    expect(await names([{ field: 'name', op: 'like', value: '%ET_' }])).toEqual(['beta']);
    expect(await names([{ field: 'score', op: 'isNull', value: true }])).toEqual(['beta']);
    expect(await names([{ field: 'score', op: 'isNull', value: false }, { field: 'active', op: 'eq', value: true }])).toEqual(['Alpha', 'Gamma']);
    expect(await names([{ field: 'score', op: 'ne', value: 1 }])).toEqual(['beta', 'Gamma']);
    expect(await names([{ field: 'externalId', op: 'eq', value: 'not-a-uuid' }])).toEqual([]);
    const sorted = await s.list('Product', { limit: 10, sort: [{ field: 'price', direction: 'desc' }] });
    expect(sorted.items.map((p) => p.price)).toEqual(['100', '10.25', '9.5']);
  });

  it('returns only the requested fields plus the id, and counts ignoring cursor and limit', async () => {
    const { s, user } = await seeded(ctx);
    for (const body of ['a', 'b', 'c']) await s.insert('Note', { author: user, body });
    const first = await s.list('Note', { limit: 2, fields: ['body', 'tags'], sort: [{ field: 'body', direction: 'asc' }], count: true });
    expect(first.items.map((n) => Object.keys(n).sort())).toEqual([['body', 'id', 'tags'], ['body', 'id', 'tags']]);
    expect(first.total).toBe(3);
    const second = await s.list('Note', { limit: 2, cursor: first.nextCursor, sort: [{ field: 'body', direction: 'asc' }], count: true });
    expect(second.items.map((n) => n.body)).toEqual(['c']);
    expect(second.total).toBe(3);
    expect(second.nextCursor).toBeUndefined();
  });

  it('rejects a malformed cursor and one issued for another sort order', async () => {
    const { s, user } = await seeded(ctx);
    for (const body of ['a', 'b']) await s.insert('Note', { author: user, body });
    const page = await s.list('Note', { limit: 1, sort: [{ field: 'body', direction: 'asc' }] });
    await expect(s.list('Note', { limit: 1, cursor: 'garbage!' })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(s.list('Note', { limit: 1, cursor: page.nextCursor })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(s.list('Note', { limit: 0 })).rejects.toBeInstanceOf(RangeError);
  });
}
