import { sql, type Kysely, type ColumnDefinitionBuilder, type RawBuilder } from 'kysely';
import type { StorageEngine } from './storage-engine.ts';
import { constraintName, type ColumnPlan, type IndexPlan, type TablePlan } from './schema-plan.ts';

/** A DDL statement ready to execute and to show in a migration report. */
export interface Statement {
  compile(): { sql: string };
  execute(): Promise<unknown>;
}

/** A raw SQL statement bound to `db`, as a {@link Statement}. */
export function rawStatement(db: Kysely<any>, raw: RawBuilder<unknown>): Statement {
  return { compile: () => raw.compile(db), execute: () => raw.execute(db) };
}

/** Column clauses shared by CREATE TABLE and ADD COLUMN; `fill` is a temporary default for existing rows. */
function defineColumn(engine: StorageEngine, c: ColumnPlan, options: { primaryKey: boolean; fill?: unknown }) {
  return (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder => {
    let b = col;
    if (c.notNull) b = b.notNull();
    if (options.primaryKey) b = b.primaryKey();
    if (c.autoIncrement) b = engine.name === 'sqlite' ? b.autoIncrement() : b.generatedByDefaultAsIdentity();
    const value = c.default !== undefined ? c.default : options.fill;
    if (value !== undefined) b = b.defaultTo(sql.lit(engine.toDb(c.kind, value)));
    return b;
  };
}

/**
 * CREATE TABLE for `table`. Foreign keys are inline (named `fk_<table>_<column>`) unless
 * `inlineForeignKeys` is false, in which case {@link addForeignKeys} adds them once every table
 * exists (PostgreSQL checks the referenced table at creation; tables may reference each other).
 */
export function createTable(engine: StorageEngine, db: Kysely<any>, table: TablePlan, inlineForeignKeys: boolean, name = table.name): Statement {
  const pk = table.columns.filter((c) => c.primaryKey);
  let b = db.schema.createTable(name);
  for (const c of table.columns) b = b.addColumn(c.name, sql.raw(c.sqlType), defineColumn(engine, c, { primaryKey: pk.length === 1 && c.primaryKey === true }));
  if (pk.length > 1) b = b.addPrimaryKeyConstraint(constraintName('pk', table.name, pk.map((c) => c.name)), pk.map((c) => c.name) as never);
  if (inlineForeignKeys) {
    for (const c of table.columns) {
      const r = c.references;
      if (r) b = b.addForeignKeyConstraint(constraintName('fk', table.name, [c.name]), [c.name] as never, r.table, [r.column], (fk) => fk.onDelete(r.onDelete));
    }
  }
  return b;
}

/** ALTER TABLE ... ADD CONSTRAINT for each foreign key of `columns` (PostgreSQL). */
export function addForeignKeys(db: Kysely<any>, table: string, columns: ColumnPlan[]): Statement[] {
  return columns.flatMap((c) => {
    const r = c.references;
    return r ? [db.schema.alterTable(table).addForeignKeyConstraint(constraintName('fk', table, [c.name]), [c.name], r.table, [r.column], (fk) => fk.onDelete(r.onDelete))] : [];
  });
}

/** ALTER TABLE ADD COLUMN (a nullable column, or one with a default or a one-off `fill`). */
export function addColumn(engine: StorageEngine, db: Kysely<any>, table: string, c: ColumnPlan, fill?: unknown): Statement[] {
  const r = c.references;
  const add = db.schema.alterTable(table).addColumn(c.name, sql.raw(c.sqlType), (col) => {
    const b = defineColumn(engine, c, { primaryKey: false, fill })(col);
    // SQLite cannot add a named constraint later, only an inline REFERENCES clause.
    return r && engine.name === 'sqlite' ? b.references(`${r.table}.${r.column}`).onDelete(r.onDelete) : b;
  });
  const out: Statement[] = [add];
  if (fill !== undefined && c.default === undefined && engine.name !== 'sqlite') out.push(db.schema.alterTable(table).alterColumn(c.name, (ac) => ac.dropDefault()));
  if (engine.name !== 'sqlite') out.push(...addForeignKeys(db, table, [c]));
  return out;
}

/** CREATE [UNIQUE] INDEX. */
export function createIndex(db: Kysely<any>, table: string, index: IndexPlan): Statement {
  const b = db.schema.createIndex(index.name).on(table).columns(index.columns);
  return index.unique ? b.unique() : b;
}
