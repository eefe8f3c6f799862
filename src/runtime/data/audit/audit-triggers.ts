import { sql, type Kysely } from 'kysely';
import type { Storage, StorageEngineName } from '../../../adapters/storage/storage.ts';
import { AUDIT_TABLE } from '../../../adapters/storage/system-tables/audit-tables.ts';
import { AUDIT_LOCK_SQL } from './audit-journal.ts';

/**
 * The database half of "append-only": triggers that refuse UPDATE and DELETE (and, on PostgreSQL,
 * TRUNCATE) of `_archspec_audit` rows, whoever sends them. They stop accidents and casual edits;
 * someone allowed to drop a trigger can still rewrite rows, which the hash chain then reveals
 * (`archspec audit verify`).
 */

/** Trigger names per engine (tests drop them to simulate tampering by a database administrator). */
export const AUDIT_TRIGGERS: Record<StorageEngineName, string[]> = {
  sqlite: ['_archspec_audit_no_update', '_archspec_audit_no_delete'],
  postgres: ['_archspec_audit_append_only', '_archspec_audit_no_truncate'],
};

/** The error text the triggers raise (both engines start their message with it). */
export const APPEND_ONLY_MESSAGE = 'the audit log is append-only';

const table = sql.table(AUDIT_TABLE);

async function installSqlite(db: Kysely<any>): Promise<void> {
  for (const [name, op] of [[AUDIT_TRIGGERS.sqlite[0]!, 'UPDATE'], [AUDIT_TRIGGERS.sqlite[1]!, 'DELETE']] as const) {
    const message = sql.lit(`${APPEND_ONLY_MESSAGE}: ${op} refused`);
    await sql`create trigger if not exists ${sql.id(name)} before ${sql.raw(op)} on ${table} begin select raise(abort, ${message}); end`.execute(db);
  }
}

async function installPostgres(db: Kysely<any>): Promise<void> {
  const [rowTrigger, truncateTrigger] = AUDIT_TRIGGERS.postgres as [string, string];
  const present = async (trx: Kysely<any>) => new Set((await sql<{ tgname: string }>`select tgname from pg_trigger
    where tgrelid = to_regclass(${AUDIT_TABLE}) and not tgisinternal`.execute(trx)).rows.map((r) => r.tgname));
  // Nothing to do (and no privilege needed) when both are there, the usual case after the first start.
  const before = await present(db);
  if (before.has(rowTrigger) && before.has(truncateTrigger)) return;
  // Several instances may start at once: the chain's lock makes them install one after the other.
  await db.transaction().execute(async (trx) => {
    await AUDIT_LOCK_SQL.execute(trx);
    const names = await present(trx);
    await sql`create or replace function "_archspec_audit_refuse"() returns trigger language plpgsql as $$
      begin raise exception '${sql.raw(APPEND_ONLY_MESSAGE)}: % refused', tg_op; end $$`.execute(trx);
    if (!names.has(rowTrigger)) {
      await sql`create trigger ${sql.id(rowTrigger)} before update or delete on ${table} for each row execute function "_archspec_audit_refuse"()`.execute(trx);
    }
    if (!names.has(truncateTrigger)) {
      await sql`create trigger ${sql.id(truncateTrigger)} before truncate on ${table} for each statement execute function "_archspec_audit_refuse"()`.execute(trx);
    }
  });
}

async function hasAuditTable(storage: Storage): Promise<boolean> {
  const found = storage.engine === 'postgres'
    ? await sql<{ t: string | null }>`select to_regclass(${AUDIT_TABLE})::text as t`.execute(storage.kysely)
    : await sql<{ t: string | null }>`select name as t from sqlite_master where type = 'table' and name = ${AUDIT_TABLE}`.execute(storage.kysely);
  return Boolean(found.rows[0]?.t);
}

/** What {@link installAuditTriggers} did. */
export type TriggerInstall = { ok: true } | { ok: false; reason: string };

/**
 * Creates the append-only triggers on `_archspec_audit` if they are missing (idempotent; safe when
 * several instances start at once). Runs at server start, after the migration: a SQLite table
 * rebuild drops a table's triggers, and this puts them back. Reports, instead of throwing, a
 * database without the audit table (not migrated) or a role not allowed to create triggers: the
 * caller logs it and the server still starts (the hash chain still reveals edits).
 *
 * @example
 * const triggers = await installAuditTriggers(storage);
 * if (!triggers.ok) log.warn(triggers.reason);
 */
export async function installAuditTriggers(storage: Storage): Promise<TriggerInstall> {
  try {
    if (!(await hasAuditTable(storage))) return { ok: false, reason: `the audit log table ${AUDIT_TABLE} is missing (database not migrated): its append-only triggers were not installed` };
    if (storage.engine === 'postgres') await installPostgres(storage.kysely);
    else await installSqlite(storage.kysely);
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `could not install the append-only triggers of ${AUDIT_TABLE} (${(e as Error).message}); rows can be edited in the database until they are (archspec audit verify still detects it)` };
  }
}
