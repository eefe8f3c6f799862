import { Kysely, sql, type RawBuilder } from 'kysely';
import type Database from 'better-sqlite3';
import type { ConstraintFailure, SchemaExtras, StorageEngine } from '../storage-engine.ts';
import { zeroValue, type ColumnKind } from '../schema-plan.ts';
import { toStoredValue } from '../column-values.ts';
import type { TableChange } from '../schema-diff.ts';
import { addColumn, createIndex, createTable, rawStatement, type Statement } from '../schema-ddl.ts';
import { StorageUnavailableError } from '../storage.ts';
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.ts';

const FAILURES: Record<string, ConstraintFailure['kind']> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
};

/**
 * SQLite half of the storage family (better-sqlite3 through kysely): booleans as 0/1, timestamps
 * as ISO-8601 text (ordered chronologically as text), decimals as exact text compared numerically,
 * JSON as text. Schema changes ALTER cannot make rebuild the table (create, copy, drop, rename)
 * with foreign keys off, checked before commit.
 */
export class SqliteEngine implements StorageEngine {
  readonly name = 'sqlite' as const;
  readonly rowLocks = false;
  readonly db: Kysely<any>;

  constructor(database: Database.Database, busyTimeoutMs: number) {
    this.db = new Kysely<any>({ dialect: new ImmediateSqliteDialect(database, busyTimeoutMs) });
  }

  /** One connection, no pool: nothing to report. */
  poolStats(): undefined {
    return undefined;
  }

  toDb(kind: ColumnKind, value: unknown): unknown {
    // SQLite has no boolean type: 1 and 0.
    if (kind === 'boolean' && value !== null && value !== undefined) return value ? 1 : 0;
    return toStoredValue(kind, value);
  }

  fromDb(kind: ColumnKind, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    switch (kind) {
      case 'boolean': return value === 1 || value === true;
      case 'json': return JSON.parse(String(value));
      case 'decimal': return String(value);
      case 'integer': return Number(value);
      default: return value;
    }
  }

  comparable(kind: ColumnKind, expr: RawBuilder<unknown>): RawBuilder<unknown> {
    return kind === 'decimal' ? sql`cast(${expr} as real)` : expr;
  }

  like(expr: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
    return sql<boolean>`${expr} like ${pattern}`; // case-insensitive for ASCII, as ILIKE on PostgreSQL
  }

  constraintFailure(error: unknown): ConstraintFailure | undefined {
    const code = (error as { code?: string })?.code ?? '';
    // RESTRICT fires as a trigger-style failure with the foreign-key message.
    const kind = FAILURES[code] ?? (code === 'SQLITE_CONSTRAINT_TRIGGER' && /FOREIGN KEY/.test((error as Error).message) ? 'foreign-key' : undefined);
    if (!kind) return undefined;
    const place = /failed: ([^.\s]+)\.([^,\s]+)/.exec((error as Error).message);
    return place ? { kind, table: place[1], column: place[2] } : { kind };
  }

  transaction<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  withMigrationLock<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
    // BEGIN IMMEDIATE is the lock. Foreign keys are off for table rebuilds (a DROP would cascade);
    // the pragma only takes effect outside a transaction, and afterMigration checks them.
    return this.db.connection().execute(async (conn) => {
      await sql`pragma foreign_keys = off`.execute(conn);
      try {
        return await conn.transaction().execute(fn);
      } finally {
        await sql`pragma foreign_keys = on`.execute(conn);
      }
    });
  }

  async introspectExtras(db: Kysely<any>): Promise<SchemaExtras> {
    const indexes = new Map<string, Set<string>>();
    const idx = await sql<{ name: string; tbl_name: string }>`select name, tbl_name from sqlite_master where type = 'index' and sql is not null`.execute(db);
    for (const r of idx.rows) indexes.set(r.tbl_name, (indexes.get(r.tbl_name) ?? new Set()).add(r.name));
    const foreignKeys = new Map<string, Map<string, string>>();
    const fks = await sql<{ tbl: string; col: string; on_delete: string }>`select m.name as tbl, p."from" as col, p.on_delete as on_delete
      from sqlite_master m, pragma_foreign_key_list(m.name) p where m.type = 'table'`.execute(db);
    for (const r of fks.rows) foreignKeys.set(r.tbl, (foreignKeys.get(r.tbl) ?? new Map()).set(r.col, r.on_delete.toLowerCase()));
    return { indexes, foreignKeys };
  }

  alterStatements(db: Kysely<any>, change: TableChange): Statement[] {
    const simple = !change.drop.length && !change.alter.length
      && change.add.every((a) => a.fill === undefined && !a.column.primaryKey && !(a.column.notNull && a.column.default === undefined) && !(a.column.references && a.column.notNull));
    const name = change.table.name;
    if (simple) {
      return [
        ...change.dropIndexes.map((i) => db.schema.dropIndex(i)),
        ...change.add.flatMap((a) => addColumn(this, db, name, a.column)),
        ...change.table.indexes.filter((i) => change.createIndexes.includes(i.name)).map((i) => createIndex(db, name, i)),
      ];
    }
    const temp = `${name}__archspec_new`;
    const fills = new Map(change.add.filter((a) => a.fill !== undefined).map((a) => [a.column.name, a.fill]));
    const copied = change.table.columns.filter((c) => change.existing.has(c.name) || fills.has(c.name));
    const values = copied.map((c) => {
      if (fills.has(c.name)) return sql.lit(this.toDb(c.kind, fills.get(c.name)));
      // A column made required: rows without a value get the type's zero (reported as destructive).
      return c.notNull && change.alter.includes(c) ? sql`coalesce(${sql.ref(c.name)}, ${sql.lit(this.toDb(c.kind, zeroValue(c.kind)))})` : sql.ref(c.name);
    });
    return [
      createTable(this, db, change.table, true, temp),
      rawStatement(db, sql`insert into ${sql.table(temp)} (${sql.join(copied.map((c) => sql.ref(c.name)))}) select ${sql.join(values)} from ${sql.table(name)}`),
      db.schema.dropTable(name),
      db.schema.alterTable(temp).renameTo(name),
      ...change.table.indexes.map((i) => createIndex(db, name, i)),
    ];
  }

  async afterMigration(db: Kysely<any>): Promise<void> {
    const broken = await sql<{ table: string; parent: string }>`pragma foreign_key_check`.execute(db);
    if (broken.rows.length) {
      const first = broken.rows[0]!;
      throw new Error(`migration would break ${broken.rows.length} references (first: ${first.table} -> ${first.parent}); nothing was applied`);
    }
  }

  async ping(): Promise<void> {
    try {
      await sql`select 1`.execute(this.db);
    } catch (e) {
      throw new StorageUnavailableError(`SQLite database is not usable: ${(e as Error).message}`, { cause: e });
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
