import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import type { Pool } from 'pg';
import type { ConstraintFailure, SchemaExtras, StorageEngine } from '../storage-engine.ts';
import { constraintName, zeroValue, type ColumnKind } from '../schema-plan.ts';
import { toStoredValue } from '../column-values.ts';
import type { TableChange } from '../schema-diff.ts';
import { addColumn, addForeignKeys, createIndex, rawStatement, type Statement } from '../schema-ddl.ts';
import { StorageUnavailableError } from '../storage.ts';

// 23001 is how PostgreSQL 18 reports ON DELETE RESTRICT; older servers use 23503 for it too.
const FAILURES: Record<string, ConstraintFailure['kind']> = { '23505': 'unique', '23503': 'foreign-key', '23001': 'foreign-key', '23502': 'not-null' };
const DELETE_RULES: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const PING_TIMEOUT_MS = 2000;

/**
 * PostgreSQL half of the storage family (a pg Pool through kysely): native uuid, bool, numeric,
 * timestamptz, date and jsonb columns. The pool's type parsers (see postgres-storage.ts) already
 * return API values: int8 as numbers, numeric as exact strings, timestamps as ISO-8601 strings.
 * Migrations hold `pg_advisory_xact_lock` in their transaction; DDL is transactional.
 */
export class PostgresEngine implements StorageEngine {
  readonly name = 'postgres' as const;
  readonly rowLocks = true;
  readonly db: Kysely<any>;

  /** `where` is "host:port" for messages. */
  constructor(private readonly pool: Pool, private readonly where: string) {
    this.db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  }

  poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  toDb(kind: ColumnKind, value: unknown): unknown {
    return toStoredValue(kind, value);
  }

  fromDb(kind: ColumnKind, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    return kind === 'integer' ? Number(value) : value;
  }

  comparable(_kind: ColumnKind, expr: RawBuilder<unknown>): RawBuilder<unknown> {
    return expr;
  }

  like(expr: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
    return sql<boolean>`${expr}::text ilike ${pattern}`;
  }

  constraintFailure(error: unknown): ConstraintFailure | undefined {
    const e = error as { code?: string; table?: string; column?: string; constraint?: string };
    const kind = FAILURES[e?.code ?? ''];
    return kind ? { kind, table: e.table, column: e.column, constraint: kind === 'not-null' ? undefined : e.constraint } : undefined;
  }

  transaction<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  withMigrationLock<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('archspec.migrate'))`.execute(trx);
      return fn(trx);
    });
  }

  async introspectExtras(db: Kysely<any>): Promise<SchemaExtras> {
    const indexes = new Map<string, Set<string>>();
    const idx = await sql<{ tablename: string; indexname: string }>`select tablename, indexname from pg_indexes where schemaname = current_schema()`.execute(db);
    for (const r of idx.rows) indexes.set(r.tablename, (indexes.get(r.tablename) ?? new Set()).add(r.indexname));
    const foreignKeys = new Map<string, Map<string, string>>();
    const fks = await sql<{ tbl: string; col: string; rule: string }>`select cl.relname as tbl, a.attname as col, c.confdeltype as rule
      from pg_constraint c join pg_class cl on cl.oid = c.conrelid join pg_namespace n on n.oid = cl.relnamespace
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'f' and n.nspname = current_schema()`.execute(db);
    for (const r of fks.rows) foreignKeys.set(r.tbl, (foreignKeys.get(r.tbl) ?? new Map()).set(r.col, DELETE_RULES[r.rule] ?? r.rule));
    return { indexes, foreignKeys };
  }

  alterStatements(db: Kysely<any>, change: TableChange): Statement[] {
    const table = change.table.name;
    const out: Statement[] = change.dropIndexes.map((i) => db.schema.dropIndex(i));
    for (const c of change.drop) out.push(db.schema.alterTable(table).dropColumn(c));
    for (const a of change.add) out.push(...addColumn(this, db, table, a.column, a.fill));
    for (const c of change.alter) {
      const col = sql.ref(c.name);
      out.push(rawStatement(db, sql`alter table ${sql.table(table)} drop constraint if exists ${sql.id(constraintName('fk', table, [c.name]))}`));
      out.push(rawStatement(db, sql`alter table ${sql.table(table)} alter column ${col} type ${sql.raw(c.sqlType)} using ${col}::${sql.raw(c.sqlType)}`));
      if (c.notNull) {
        out.push(rawStatement(db, sql`update ${sql.table(table)} set ${col} = ${sql.lit(this.toDb(c.kind, zeroValue(c.kind)))} where ${col} is null`));
        out.push(db.schema.alterTable(table).alterColumn(c.name, (ac) => ac.setNotNull()));
      } else if (!c.primaryKey) {
        out.push(db.schema.alterTable(table).alterColumn(c.name, (ac) => ac.dropNotNull()));
      }
      out.push(...addForeignKeys(db, table, [c]));
    }
    out.push(...change.table.indexes.filter((i) => change.createIndexes.includes(i.name)).map((i) => createIndex(db, table, i)));
    return out;
  }

  async afterMigration(): Promise<void> {}

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([sql`select 1`.execute(this.db), timeout]);
    } catch (e) {
      if (e instanceof StorageUnavailableError) throw e;
      throw new StorageUnavailableError(`PostgreSQL at ${this.where} is not answering: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
