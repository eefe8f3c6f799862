import { sql, type Kysely } from 'kysely';
import type { StorageEngine } from './storage-engine.ts';
import { constraintName, type EntityLayout, type SchemaPlan } from './schema-plan.ts';
import { ForeignKeyViolationError, NotNullViolationError, UniqueViolationError } from './storage-errors.ts';

/** The entity field a table column stands for (join tables stand for their many-to-many field, blind indexes for their encrypted field). */
function fieldOf(plan: SchemaPlan, table: string, column: string): { entity: string; field: string; referenced?: string } | undefined {
  for (const layout of plan.layouts.values()) {
    if (layout.table === table) {
      const indexed = [...layout.encrypted.values()].find((e) => e.blindIndex === column);
      if (indexed) return { entity: layout.entity.name, field: indexed.field };
      const ref = layout.entity.fields.find((f) => f.name === column)?.ref;
      return { entity: layout.entity.name, field: column, referenced: ref?.entity };
    }
    for (const j of layout.joins.values()) {
      if (j.table === table) return { entity: layout.entity.name, field: j.field, referenced: column === 'sourceId' ? layout.entity.name : j.target };
    }
  }
  return undefined;
}

/** Table and column of a named unique index or foreign key in the plan. */
function constraintOwner(plan: SchemaPlan, name: string): { table: string; column: string } | undefined {
  for (const t of plan.tables) {
    for (const c of t.columns) {
      if (constraintName('fk', t.name, [c.name]) === name || constraintName('ux', t.name, [c.name]) === name) return { table: t.name, column: c.name };
      if (c.primaryKey && name === `${t.name}_pkey`) return { table: t.name, column: c.name };
    }
  }
  return undefined;
}

/**
 * SQLite names no column in a foreign-key failure: find the reference in `written` whose target
 * is missing, or (on delete) the restricting table that still points at `deletedId`.
 */
async function diagnoseForeignKey(db: Kysely<any>, plan: SchemaPlan, layout: EntityLayout, written: Record<string, unknown>, links: Map<string, unknown[]>, deletedId?: unknown): Promise<ForeignKeyViolationError | undefined> {
  const exists = async (table: string, column: string, value: unknown) =>
    (await sql`select 1 as x from ${sql.table(table)} where ${sql.ref(column)} = ${value} limit 1`.execute(db)).rows.length > 0;
  if (deletedId !== undefined) {
    for (const t of plan.tables) {
      for (const c of t.columns) {
        if (c.references?.table !== layout.table || c.references.onDelete !== 'restrict') continue;
        const owner = fieldOf(plan, t.name, c.name);
        if (owner && (await exists(t.name, c.name, deletedId))) return new ForeignKeyViolationError(owner.entity, owner.field, layout.entity.name, 'delete');
      }
    }
    return undefined;
  }
  for (const [name, value] of Object.entries(written)) {
    const r = layout.columns.get(name)?.references;
    if (r && value !== null && value !== undefined && !(await exists(r.table, r.column, value))) return new ForeignKeyViolationError(layout.entity.name, name, r.table, 'write');
  }
  for (const [field, ids] of links) {
    const j = layout.joins.get(field)!;
    const targetId = plan.layouts.get(j.target)!.id.name;
    for (const id of ids) if (!(await exists(j.target, targetId, id))) return new ForeignKeyViolationError(layout.entity.name, field, j.target, 'write');
  }
  return undefined;
}

/**
 * Rethrows a driver error as UniqueViolationError, ForeignKeyViolationError or
 * NotNullViolationError naming the model field; other errors pass through unchanged. Must run
 * inside the failed write's transaction (SQLite's foreign-key diagnosis queries it).
 */
export async function translateWriteError(
  engine: StorageEngine, db: Kysely<any>, plan: SchemaPlan, layout: EntityLayout, error: unknown,
  context: { written?: Record<string, unknown>; links?: Map<string, unknown[]>; deletedId?: unknown },
): Promise<never> {
  const failure = engine.constraintFailure(error);
  if (!failure) throw error;
  const place = failure.constraint ? constraintOwner(plan, failure.constraint) : failure.table && failure.column ? { table: failure.table, column: failure.column } : undefined;
  const owner = place ? fieldOf(plan, place.table, place.column) : undefined;
  const cause = { cause: error };
  if (failure.kind === 'unique') throw new UniqueViolationError(owner?.entity ?? layout.entity.name, owner?.field ?? 'unknown', cause);
  if (failure.kind === 'not-null') throw new NotNullViolationError(owner?.entity ?? layout.entity.name, owner?.field ?? 'unknown', cause);
  if (owner?.referenced) {
    const deleting = context.deletedId !== undefined;
    throw new ForeignKeyViolationError(owner.entity, owner.field, owner.referenced, deleting ? 'delete' : 'write', cause);
  }
  const found = await diagnoseForeignKey(db, plan, layout, context.written ?? {}, context.links ?? new Map(), context.deletedId);
  if (found) throw Object.assign(found, cause);
  throw error;
}
