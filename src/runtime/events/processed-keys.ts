import type { Kysely } from 'kysely';

/** What each consumer has handled: one row per consumer and key. */
export const PROCESSED_TABLE = '_archspec_processed';

/**
 * Records that `consumer` handled `key`, through `db` (a transaction's query builder, so the record
 * commits or rolls back with the consumer's effects). Resolves true the first time, false when the
 * key was already recorded. Two transactions recording the same key at once: the second waits for
 * the first (the primary key) and then resolves false if the first committed.
 */
export async function recordProcessed(db: Kysely<any>, consumer: string, key: string): Promise<boolean> {
  // A consumer name (a component) holds no space, so `<consumer> <key>` is unambiguous.
  const inserted = await db.insertInto(PROCESSED_TABLE)
    .values({ id: `${consumer} ${key}`, consumer, key, processedAt: new Date().toISOString() })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  return inserted.length === 1;
}

/** Forgets keys recorded before `before` (ISO-8601); resolves with how many. */
export async function pruneProcessed(db: Kysely<any>, before: string): Promise<number> {
  const result = await db.deleteFrom(PROCESSED_TABLE).where('processedAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
