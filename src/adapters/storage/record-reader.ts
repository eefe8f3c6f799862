import { sql, type Kysely } from 'kysely';
import type { FieldCipher, Row } from './storage.ts';
import type { StorageEngine } from './storage-engine.ts';
import type { EntityLayout } from './schema-plan.ts';
import { matchable } from './list-query.ts';
import { openValue } from './encrypted-columns.ts';
import type { QueryShapes } from './query-shapes.ts';

/** The id as the id column stores it, or undefined when it cannot be one (so it matches nothing). */
export function storedId(layout: EntityLayout, id: string | number): string | number | undefined {
  if (!matchable(layout.id.kind, id)) return undefined;
  return layout.id.kind === 'integer' ? Number(id) : String(id);
}

/** How stored values are read: the engine's conversions and, for encrypted fields, the cipher. */
export interface RecordCodec {
  engine: StorageEngine;
  cipher?: FieldCipher;
}

/**
 * Turns stored rows into API records: values converted per column kind (encrypted fields
 * decrypted), many-to-many fields as arrays of target ids (sorted, one query per join table for
 * the whole batch), and only `fields` (plus the id) when given.
 */
export async function toRecords(codec: RecordCodec, db: Kysely<any>, layout: EntityLayout, rows: Record<string, unknown>[], fields?: string[]): Promise<Row[]> {
  const { engine, cipher } = codec;
  const wanted = fields ? new Set([layout.id.name, ...fields]) : undefined;
  const entity = layout.entity.name;
  const records = rows.map((raw) => {
    const out: Row = {};
    for (const [name, c] of layout.columns) {
      if (wanted && !wanted.has(name)) continue;
      const encrypted = layout.encrypted.get(name);
      out[name] = encrypted
        ? openValue(entity, encrypted, raw[name], cipher, () => `${entity} ${String(raw[layout.id.name])}`)
        : engine.fromDb(c.kind, raw[name] ?? null);
    }
    return out;
  });
  const ids = rows.map((r) => r[layout.id.name]);
  for (const join of layout.joins.values()) {
    if (wanted && !wanted.has(join.field)) continue;
    const links = new Map<unknown, unknown[]>();
    if (ids.length) {
      const found = await sql<{ sourceId: unknown; targetId: unknown }>`select ${sql.ref('sourceId')}, ${sql.ref('targetId')} from ${sql.table(join.table)}
        where ${sql.ref('sourceId')} in (${sql.join(ids)}) order by ${sql.ref('targetId')}`.execute(db);
      for (const l of found.rows) {
        const key = engine.fromDb(layout.id.kind, l.sourceId);
        links.set(key, [...(links.get(key) ?? []), engine.fromDb(join.targetKind, l.targetId)]);
      }
    }
    for (const r of records) r[join.field] = links.get(r[layout.id.name]) ?? [];
  }
  return records;
}

/**
 * One stored row by id (raw column values), honouring soft delete unless `includeDeleted`. With
 * `forUpdate` the row is locked until the transaction `db` belongs to ends (only where the engine
 * has row locks: the caller decides). Compiled once per shape through `shapes`.
 */
export async function readRow(shapes: QueryShapes, db: Kysely<any>, layout: EntityLayout, id: string | number, includeDeleted = false, forUpdate = false): Promise<Record<string, unknown> | undefined> {
  const live = layout.entity.softDelete && !includeDeleted;
  const build = () => {
    let q = db.selectFrom(layout.table).selectAll().where(layout.id.name, '=', id);
    if (live) q = q.where('deletedAt', 'is', null);
    return forUpdate ? q.forUpdate() : q;
  };
  const [row] = await shapes.rows(db, `get|${layout.table}|${live}|${forUpdate}`, [id], build);
  return row as Record<string, unknown> | undefined;
}
