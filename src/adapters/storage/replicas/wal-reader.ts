import { sql } from 'kysely';
import type { Storage } from '../storage.ts';
import { parseLsn, type Lsn } from './lsn.ts';

/** Where the write-ahead log stands on the primary and on each standby. */
export interface WalReader {
  /**
   * The primary's WAL insert position. Asked after a commit returned, it is at or after the end of
   * that commit's record (with or without synchronous_commit), so a standby that has replayed this
   * far sees the commit.
   */
  insertPosition(primary: Storage): Promise<Lsn>;
  /** How far a standby has replayed; undefined when the server is not a standby (not in recovery). */
  replayedPosition(replica: Storage): Promise<Lsn | undefined>;
}

/**
 * {@link WalReader} on PostgreSQL: `pg_current_wal_insert_lsn()` on the primary,
 * `pg_last_wal_replay_lsn()` on a standby (with `pg_is_in_recovery()`: a promoted standby or a
 * primary named as a replica reports null and is not used).
 *
 * Why not a position taken inside the transaction: the commit record is written after every
 * statement of the transaction, so any position read before COMMIT is before it, and a standby
 * that has replayed that far may not see the commit yet. `pg_current_wal_lsn()` (the write
 * position) after COMMIT is not enough either with `synchronous_commit = off`, where COMMIT returns
 * before its record is written out.
 */
export const POSTGRES_WAL: WalReader = {
  async insertPosition(primary) {
    const { rows } = await sql<{ lsn: string }>`select pg_current_wal_insert_lsn()::text as lsn`.execute(primary.kysely);
    return parseLsn(rows[0]!.lsn);
  },
  async replayedPosition(replica) {
    const { rows } = await sql<{ recovering: boolean; lsn: string | null }>`select pg_is_in_recovery() as recovering, pg_last_wal_replay_lsn()::text as lsn`.execute(replica.kysely);
    const row = rows[0]!;
    return row.recovering && row.lsn ? parseLsn(row.lsn) : undefined;
  },
};
