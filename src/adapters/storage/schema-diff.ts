import { sql, type Kysely } from 'kysely';
import type { StorageEngine } from './storage-engine.ts';
import type { ColumnPlan, SchemaPlan, TablePlan } from './schema-plan.ts';
import { MIGRATIONS_TABLE } from './system-tables/system-tables.ts';

/** How an existing table differs from its plan. */
export interface TableChange {
  table: TablePlan;
  rows: number;
  /** Columns the table has now. */
  existing: Set<string>;
  /** Columns to add; `fill` is set when existing rows need a value forced on them. */
  add: { column: ColumnPlan; fill?: unknown }[];
  drop: string[];
  /** Columns whose type, nullability or foreign key differ from the plan. */
  alter: ColumnPlan[];
  createIndexes: string[];
  dropIndexes: string[];
}

/** Everything between the database and the plan, with destructive changes described in plain words. */
export interface SchemaDiff {
  createTables: TablePlan[];
  dropTables: string[];
  changes: TableChange[];
  destructive: string[];
}

const rowsOf = async (db: Kysely<any>, table: string): Promise<number> =>
  Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n ?? 0);

/**
 * Compares the live database with `plan`. Additive: new tables, columns (nullable, defaulted, or on
 * an empty table), indexes, relaxed NOT NULL, changed foreign-key rules. Destructive: dropped tables
 * and columns, type changes, NOT NULL on a column holding nulls, a required column without default
 * added to a table with rows (existing rows would get the type's zero value).
 */
export async function diffSchema(engine: StorageEngine, db: Kysely<any>, plan: SchemaPlan, zero: (c: ColumnPlan) => unknown): Promise<SchemaDiff> {
  const live = (await db.introspection.getTables())
    .filter((t) => !t.isView && t.name !== MIGRATIONS_TABLE && (t.schema === undefined || t.schema === 'public'));
  const extras = await engine.introspectExtras(db);
  const byName = new Map(live.map((t) => [t.name, t]));
  const wanted = new Set(plan.tables.map((t) => t.name));
  const diff: SchemaDiff = { createTables: [], dropTables: [], changes: [], destructive: [] };
  for (const t of live) {
    if (wanted.has(t.name)) continue;
    diff.dropTables.push(t.name);
    diff.destructive.push(`drop table ${t.name} (${await rowsOf(db, t.name)} rows are lost)`);
  }
  for (const table of plan.tables) {
    const current = byName.get(table.name);
    if (!current) {
      diff.createTables.push(table);
      continue;
    }
    const rows = await rowsOf(db, table.name);
    const cols = new Map(current.columns.map((c) => [c.name, c]));
    const fks = extras.foreignKeys.get(table.name) ?? new Map<string, string>();
    const indexes = extras.indexes.get(table.name) ?? new Set<string>();
    const change: TableChange = { table, rows, existing: new Set(cols.keys()), add: [], drop: [], alter: [], createIndexes: [], dropIndexes: [] };
    for (const name of cols.keys()) {
      if (table.columns.some((c) => c.name === name)) continue;
      change.drop.push(name);
      diff.destructive.push(`drop column ${table.name}.${name} (its values in ${rows} rows are lost)`);
    }
    for (const c of table.columns) {
      const live = cols.get(c.name);
      if (!live) {
        const needsFill = c.notNull && c.default === undefined && !c.autoIncrement && rows > 0;
        change.add.push(needsFill ? { column: c, fill: zero(c) } : { column: c });
        if (needsFill) diff.destructive.push(`add required column ${table.name}.${c.name} without a default: ${rows} existing rows get ${JSON.stringify(zero(c))}`);
        continue;
      }
      let altered = false;
      if (live.dataType.toLowerCase() !== c.sqlType) {
        altered = true;
        diff.destructive.push(`change type of ${table.name}.${c.name} from ${live.dataType.toLowerCase()} to ${c.sqlType} (existing values are converted; the migration fails if one cannot be)`);
      }
      if (c.notNull && live.isNullable) {
        altered = true;
        const nulls = Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table.name)} where ${sql.ref(c.name)} is null`.execute(db)).rows[0]?.n ?? 0);
        if (nulls > 0) diff.destructive.push(`make ${table.name}.${c.name} required: ${nulls} rows hold no value and get ${JSON.stringify(zero(c))}`);
      }
      if (!c.notNull && !live.isNullable && !c.primaryKey) altered = true;
      if ((c.references?.onDelete ?? undefined) !== fks.get(c.name)) altered = true;
      if (altered) change.alter.push(c);
    }
    for (const index of table.indexes) if (!indexes.has(index.name)) change.createIndexes.push(index.name);
    for (const name of indexes) if (/^(ix|ux)_/.test(name) && !table.indexes.some((i) => i.name === name)) change.dropIndexes.push(name);
    if (change.add.length || change.drop.length || change.alter.length || change.createIndexes.length || change.dropIndexes.length) diff.changes.push(change);
  }
  return diff;
}
