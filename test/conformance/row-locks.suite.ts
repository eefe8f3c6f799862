import { expect, it } from 'vitest';
import type { Storage } from '../../src/adapters/storage/storage.ts';
import type { SuiteContext } from './storage-fixture.ts';

/** Long enough that two transactions started together have both read before either writes, unless a read waited. */
const THINK_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two instances on one database (as two servers would be) and a note whose `rank` they count on. */
async function counter(ctx: SuiteContext): Promise<{ a: Storage; b: Storage; id: string }> {
  const a = await ctx.open();
  const b = await ctx.open();
  const user = (await a.insert('User', { email: 'ada@example.com' })).id;
  const id = (await a.insert('Note', { author: user, body: 'counter', rank: 0 })).id as string;
  return { a, b, id };
}

/** Reads the note for update, waits, then writes rank + 1: a lost update unless the read locked the row. */
function increment(s: Storage, id: string, options: { fail?: boolean } = {}): Promise<unknown> {
  return s.transaction(async (tx) => {
    const note = await tx.get('Note', id, { forUpdate: true });
    await sleep(THINK_MS);
    if (options.fail) throw new Error('handler failed');
    return tx.update('Note', id, { rank: Number(note!.rank) + 1 });
  });
}

/** `get(..., { forUpdate: true })`: read-modify-write in concurrent transactions loses no update. */
export function rowLockTests(ctx: SuiteContext): void {
  it('loses no update when concurrent transactions read the record for update before writing', async () => {
    const { a, b, id } = await counter(ctx);
    await Promise.all([increment(a, id), increment(b, id), increment(a, id)]);
    expect(await a.get('Note', id)).toMatchObject({ rank: 3, version: 4 });
  });

  it('releases the lock when the transaction holding it rolls back', async () => {
    const { a, b, id } = await counter(ctx);
    const results = await Promise.allSettled([increment(a, id, { fail: true }), increment(b, id)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(await b.get('Note', id)).toMatchObject({ rank: 1, version: 2 });
  });

  it('reads for update like a plain get: outside a transaction, absent ids and soft-deleted records', async () => {
    const { a, id } = await counter(ctx);
    expect(await a.get('Note', id, { forUpdate: true })).toEqual(await a.get('Note', id));
    await a.delete('Note', id);
    await a.transaction(async (tx) => {
      expect(await tx.get('Note', id, { forUpdate: true })).toBeUndefined();
      expect(await tx.get('Note', id, { forUpdate: true, includeDeleted: true })).toMatchObject({ body: 'counter' });
      expect(await tx.get('Note', '00000000-0000-4000-8000-000000000000', { forUpdate: true })).toBeUndefined();
    });
  });
}
