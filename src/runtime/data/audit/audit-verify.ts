import type { Kysely } from 'kysely';
import { AUDIT_TABLE } from '../../../adapters/storage/system-tables/audit-tables.ts';
import { chainHash, GENESIS_HASH, type AuditAction, type AuditRow } from './audit-record.ts';

/**
 * Reading the audit log back: walking the hash chain to prove no row was altered, removed or
 * reordered (`archspec audit verify`) and listing rows (`archspec audit list`).
 */

/** Why the chain is broken. `truncated` only with an expected head (the chain alone cannot show it). */
export type BreakReason = 'altered' | 'missing' | 'reordered' | 'truncated';

/** The first place the chain does not hold. */
export interface ChainBreak {
  /** The first row that cannot be trusted (for `missing`: the first absent seq). */
  seq: number;
  reason: BreakReason;
  detail: string;
}

/** What {@link verifyChain} found. */
export interface ChainReport {
  /** Rows verified (all of them when the chain is intact). */
  rows: number;
  /** The newest row's seq and hash (0 and 64 zeros when the log is empty). */
  head: { seq: number; hash: string };
  broken?: ChainBreak;
  /** With `expectHead`: the seq of the expected head in the chain (rows after it were appended since). */
  expectedAt?: number;
}

/** Rows read per query while walking. */
const PAGE = 1000;

function toRow(r: Record<string, unknown>): AuditRow {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    seq: Number(r.seq), at: String(r.at), actor: String(r.actor), action: String(r.action) as AuditAction, entity: String(r.entity),
    recordId: String(r.recordId), requestId: text(r.requestId), before: text(r.before), after: text(r.after),
    prevHash: String(r.prevHash), hash: String(r.hash),
  };
}

async function seqOfHash(db: Kysely<any>, hash: string): Promise<number | undefined> {
  const found = await db.selectFrom(AUDIT_TABLE).select('seq').where('hash', '=', hash).orderBy('seq').limit(1).executeTakeFirst();
  return found ? Number(found.seq) : undefined;
}

/** Checks one row against its predecessor's hash (`prev`) and the seq it should have. */
async function checkRow(db: Kysely<any>, row: AuditRow, expectedSeq: number, prev: string): Promise<ChainBreak | undefined> {
  if (row.seq !== expectedSeq) {
    const range = row.seq - 1 === expectedSeq ? `row ${expectedSeq} is` : `rows ${expectedSeq} to ${row.seq - 1} are`;
    return { seq: expectedSeq, reason: 'missing', detail: `${range} missing: the sequence jumps from ${expectedSeq - 1} to ${row.seq}` };
  }
  if (chainHash(row.prevHash, row) !== row.hash) {
    return { seq: row.seq, reason: 'altered', detail: `row ${row.seq} was altered: its content no longer matches its hash` };
  }
  if (row.prevHash === prev) return undefined;
  const linked = await seqOfHash(db, row.prevHash);
  if (linked !== undefined && linked > row.seq) {
    return { seq: row.seq, reason: 'reordered', detail: `rows were reordered: row ${row.seq} follows row ${linked} in the chain, which now comes after it` };
  }
  if (linked !== undefined) {
    return { seq: row.seq, reason: 'missing', detail: `a row before row ${row.seq} is missing: it follows row ${linked} in the chain, and the rows in between were removed and the sequence renumbered` };
  }
  return {
    seq: row.seq, reason: 'missing',
    detail: `the row before row ${row.seq} is missing or was rewritten: row ${row.seq} follows a row whose hash is no longer in the log`,
  };
}

/**
 * Walks the chain in seq order and recomputes every hash: each row's content must match its hash,
 * its `prevHash` must be the previous row's hash (64 zeros for the first) and seqs must run 1, 2,
 * 3, ... without gaps. Stops at the first break. Removing the newest rows leaves a valid, shorter
 * chain: pass the head recorded earlier as `expectHead` to detect that (it must still be in the chain).
 *
 * @example
 * const report = await verifyChain(storage.kysely, { expectHead: 'ab12...' });
 * if (report.broken) console.error(`seq ${report.broken.seq}: ${report.broken.detail}`);
 */
export async function verifyChain(db: Kysely<any>, options: { expectHead?: string } = {}): Promise<ChainReport> {
  let prev = GENESIS_HASH;
  let seq = 0;
  for (;;) {
    const page = (await db.selectFrom(AUDIT_TABLE).selectAll().where('seq', '>', seq).orderBy('seq').limit(PAGE).execute()).map(toRow);
    for (const row of page) {
      const broken = await checkRow(db, row, seq + 1, prev);
      if (broken) return { rows: seq, head: { seq, hash: prev }, broken };
      prev = row.hash;
      seq = row.seq;
    }
    if (page.length < PAGE) break;
  }
  const report: ChainReport = { rows: seq, head: { seq, hash: prev } };
  const expected = options.expectHead?.toLowerCase();
  if (expected === undefined) return report;
  const at = expected === prev ? seq : expected === GENESIS_HASH ? 0 : await seqOfHash(db, expected);
  if (at !== undefined) return { ...report, expectedAt: at };
  return {
    ...report,
    broken: { seq: seq + 1, reason: 'truncated', detail: `the expected head ${expected} is not in the chain: rows were removed from its end (or it was rewritten)` },
  };
}

/** Filters of {@link listAudit}. */
export interface AuditListQuery {
  entity?: string;
  recordId?: string;
  /** The newest `limit` matching rows (default 50). */
  limit?: number;
}

/** The newest matching audit rows, oldest first (like a log's tail). */
export async function listAudit(db: Kysely<any>, query: AuditListQuery = {}): Promise<AuditRow[]> {
  let q = db.selectFrom(AUDIT_TABLE).selectAll();
  if (query.entity !== undefined) q = q.where('entity', '=', query.entity);
  if (query.recordId !== undefined) q = q.where('recordId', '=', query.recordId);
  const rows = await q.orderBy('seq', 'desc').limit(query.limit ?? 50).execute();
  return rows.map(toRow).reverse();
}
