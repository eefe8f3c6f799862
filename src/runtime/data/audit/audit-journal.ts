import { sql, type Kysely } from 'kysely';
import type { StorageEngineName } from '../../../adapters/storage/storage.ts';
import { AUDIT_TABLE } from '../../../adapters/storage/system-tables/audit-tables.ts';
import { chainHash, GENESIS_HASH, type AuditContent, type AuditRow } from './audit-record.ts';

/**
 * The audit rows of one transaction, collected as its writes happen and appended to the chain just
 * before it commits. Appending last keeps the chain's lock (PostgreSQL) held only for the append
 * and the commit, not for the whole transaction (a handler may call an integration after writing).
 */

/** Rows per INSERT statement (11 columns each: far below both engines' bound-parameter limits). */
const INSERT_CHUNK = 500;

/**
 * The PostgreSQL advisory lock serializing chain appends (and trigger installation). A transaction
 * level lock: released by COMMIT or ROLLBACK, never left behind by a crashed writer.
 */
export const AUDIT_LOCK_SQL = sql`select pg_advisory_xact_lock(hashtext('archspec.audit'))`;

/** The newest row of the chain: its seq and hash (0 and the genesis hash when the log is empty). */
export async function chainHead(db: Kysely<any>): Promise<{ seq: number; hash: string }> {
  // Raw SQL (the same on both engines): it runs on every audited write, and the query builder's
  // compile step cost more than the query itself.
  const { rows } = await HEAD_SQL.execute(db);
  const head = rows[0];
  return head ? { seq: Number(head.seq), hash: String(head.hash) } : { seq: 0, hash: GENESIS_HASH };
}

const HEAD_SQL = sql<{ seq: number | string; hash: string }>`select "seq", "hash" from ${sql.table(AUDIT_TABLE)} order by "seq" desc limit 1`;

/** Audit rows waiting for their transaction to end. */
export class AuditJournal {
  private readonly entries: AuditContent[] = [];

  add(entry: AuditContent): void {
    this.entries.push(entry);
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Appends the collected rows to the chain through `db` (the transaction's query builder): on
   * PostgreSQL it first takes the chain lock, so concurrent transactions append one after the
   * other and each reads the head its predecessor committed (READ COMMITTED takes a new snapshot
   * per statement); SQLite's write transactions are serialized already. Each row gets the next seq
   * and `hash = sha256(prevHash + canonical content)`.
   */
  async flush(db: Kysely<any>, engine: StorageEngineName): Promise<AuditRow[]> {
    if (this.entries.length === 0) return [];
    if (engine === 'postgres') await AUDIT_LOCK_SQL.execute(db);
    let { seq, hash: prevHash } = await chainHead(db);
    const rows: AuditRow[] = this.entries.splice(0).map((entry) => {
      const hash = chainHash(prevHash, entry);
      const row = { seq: ++seq, ...entry, prevHash, hash };
      prevHash = hash;
      return row;
    });
    if (rows.length === 1) await insertOne(db, rows[0]!);
    else for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insertInto(AUDIT_TABLE).values(rows.slice(i, i + INSERT_CHUNK)).execute();
    return rows;
  }
}

/** One row (the usual case: one audited write per transaction) as raw SQL, skipping the builder's compile step. */
async function insertOne(db: Kysely<any>, r: AuditRow): Promise<void> {
  await sql`insert into ${sql.table(AUDIT_TABLE)} ("seq", "at", "actor", "action", "entity", "recordId", "requestId", "before", "after", "prevHash", "hash")
    values (${r.seq}, ${r.at}, ${r.actor}, ${r.action}, ${r.entity}, ${r.recordId}, ${r.requestId}, ${r.before}, ${r.after}, ${r.prevHash}, ${r.hash})`.execute(db);
}
