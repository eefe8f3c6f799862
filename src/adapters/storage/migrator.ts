import { sql, type Kysely } from 'kysely';
import type { MigrationReport } from './storage.ts';
import type { StorageEngine } from './storage-engine.ts';
import { zeroValue, type SchemaPlan } from './schema-plan.ts';
import { diffSchema, type SchemaDiff } from './schema-diff.ts';
import { addForeignKeys, createIndex, createTable, type Statement } from './schema-ddl.ts';
import { MIGRATIONS_TABLE } from './system-tables/system-tables.ts';

interface HistoryRow {
  version: number;
  checksum: string;
}

async function ensureHistory(db: Kysely<any>): Promise<void> {
  await db.schema.createTable(MIGRATIONS_TABLE).ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('statements', 'text', (c) => c.notNull())
    .execute();
}

async function lastHistory(db: Kysely<any>): Promise<HistoryRow | undefined> {
  const row = await db.selectFrom(MIGRATIONS_TABLE).select(['version', 'checksum']).orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? { version: Number(row.version), checksum: String(row.checksum) } : undefined;
}

/** Whether the last recorded migration is the one for `plan` (for /readyz). False when never migrated. */
export async function isMigrated(engine: StorageEngine, plan: SchemaPlan): Promise<boolean> {
  let last: HistoryRow | undefined;
  try {
    last = await lastHistory(engine.db);
  } catch (e) {
    // No history table yet: never migrated. A database that is down still throws (via ping's error).
    await engine.ping();
    return false;
  }
  return last?.checksum === plan.checksum;
}

/** Whether the history table exists (a dry run reads the version without creating it). */
async function hasHistory(db: Kysely<any>): Promise<boolean> {
  const tables = await db.introspection.getTables();
  return tables.some((t) => t.name === MIGRATIONS_TABLE && (t.schema === undefined || t.schema === 'public'));
}

/** The DDL that turns the database into the plan, in the order it must run. */
function migrationStatements(engine: StorageEngine, db: Kysely<any>, diff: SchemaDiff): Statement[] {
  const statements: Statement[] = [];
  const inline = engine.name === 'sqlite';
  for (const t of diff.createTables) {
    statements.push(createTable(engine, db, t, inline), ...t.indexes.map((i) => createIndex(db, t.name, i)));
  }
  if (!inline) for (const t of diff.createTables) statements.push(...addForeignKeys(db, t.name, t.columns));
  for (const change of diff.changes) statements.push(...engine.alterStatements(db, change));
  for (const name of diff.dropTables) {
    const drop = db.schema.dropTable(name);
    statements.push(inline ? drop : drop.cascade());
  }
  return statements;
}

/** Options of {@link migrate}, as `Storage.migrate` takes them. */
export interface MigrateOptions {
  allowDestructive?: boolean;
  dryRun?: boolean;
}

/**
 * Brings the database to `plan` under the engine's migration lock, so concurrent instances migrate
 * once: the first applies the changes and records a history row; the others find the plan's
 * checksum already recorded and apply nothing. Destructive changes are listed and, unless
 * `allowDestructive`, nothing at all is applied (`refused`). DDL runs in the lock's transaction, so
 * a failing statement leaves the schema as it was.
 *
 * With `dryRun` the report is the same (`applied` holds the statements that would run, `refused`
 * is set as it would be) but nothing is executed: no history table or row is written and the lock
 * is released as soon as the database has been compared; `version` stays the current one.
 *
 * @example
 * const report = await migrate(engine, planSchema(model, 'sqlite'), { dryRun: true });
 * if (report.refused) console.error(report.destructive.join('\n'));
 */
export async function migrate(engine: StorageEngine, plan: SchemaPlan, options: MigrateOptions = {}): Promise<MigrationReport> {
  return engine.withMigrationLock(async (db) => {
    if (!options.dryRun) await ensureHistory(db);
    const last = options.dryRun && !(await hasHistory(db)) ? undefined : await lastHistory(db);
    const version = last?.version ?? 0;
    if (last?.checksum === plan.checksum) return { applied: [], destructive: [], refused: false, version };
    const diff = await diffSchema(engine, db, plan, (c) => zeroValue(c.kind));
    if (diff.destructive.length && !options.allowDestructive) return { applied: [], destructive: diff.destructive, refused: true, version };
    const statements = migrationStatements(engine, db, diff);
    const applied = statements.map((s) => s.compile().sql);
    if (options.dryRun) return { applied, destructive: diff.destructive, refused: false, version };
    for (const s of statements) await s.execute();
    await engine.afterMigration(db);
    await db.insertInto(MIGRATIONS_TABLE)
      .values({ version: version + 1, applied_at: new Date().toISOString(), checksum: plan.checksum, statements: JSON.stringify(applied) })
      .execute();
    return { applied, destructive: diff.destructive, refused: false, version: version + 1 };
  });
}

/** Rows of the migration history, oldest first (for `archspec migrate --status`). */
export async function migrationHistory(db: Kysely<any>): Promise<{ version: number; appliedAt: string; checksum: string; statements: string[] }[]> {
  const rows = await sql<{ version: number; applied_at: string; checksum: string; statements: string }>`select * from ${sql.table(MIGRATIONS_TABLE)} order by version`.execute(db);
  return rows.rows.map((r) => ({ version: Number(r.version), appliedAt: r.applied_at, checksum: r.checksum, statements: JSON.parse(r.statements) as string[] }));
}
