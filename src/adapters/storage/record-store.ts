import { randomFillSync, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { FieldCipher, ListQuery, Page, RecordStore, Row, WriteConflict } from './storage.ts';
import type { StorageEngine } from './storage-engine.ts';
import type { EntityLayout, SchemaPlan } from './schema-plan.ts';
import { NotNullViolationError, UniqueViolationError } from './storage-errors.ts';
import { indexedText, sealValue, serializeValue } from './encrypted-columns.ts';
import { afterCursor, encodeCursor, listPredicate, orderBy, sortKeys } from './list-query.ts';
import { readRow, storedId, toRecords } from './record-reader.ts';
import type { QueryShapes } from './query-shapes.ts';
import { translateWriteError } from './write-errors.ts';

const SERVER_COLUMNS = new Set(['version', 'createdAt', 'updatedAt', 'deletedAt']);
const SHORT_ID_ATTEMPTS = 5;

/** What every record store shares: the engine, the plan, the clock, the compiled query shapes and the field cipher. */
export interface StoreContext {
  engine: StorageEngine;
  plan: SchemaPlan;
  now: () => string;
  shapes: QueryShapes;
  /** Encrypts the model's encrypted fields; without it they fail closed (FieldKeyUnavailableError). */
  cipher?: FieldCipher;
}

/** Random bytes drawn a pool at a time: one CSPRNG call per 1024 short ids instead of one each. */
const RANDOM_POOL = Buffer.alloc(6 * 1024);
let poolOffset = RANDOM_POOL.length;

/** A random 6-byte id in base64url (8 characters), as `randomBytes(6)` would give. */
export function shortId(): string {
  if (poolOffset === RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolOffset = 0;
  }
  poolOffset += 6;
  return RANDOM_POOL.toString('base64url', poolOffset - 6, poolOffset);
}

/**
 * {@link RecordStore} over kysely, the same code for every engine. Outside a transaction each write
 * runs in its own (row and join-table rows commit together); inside one (`inTransaction`) it joins it.
 */
export class KyselyRecordStore implements RecordStore {
  constructor(protected readonly ctx: StoreContext, protected readonly db: Kysely<any>, private readonly inTransaction: boolean) {}

  protected layout(entity: string): EntityLayout {
    const l = this.ctx.plan.layouts.get(entity);
    if (!l) throw new Error(`unknown entity ${entity}`);
    return l;
  }

  private write<T>(fn: (db: Kysely<any>) => Promise<T>): Promise<T> {
    return this.inTransaction ? fn(this.db) : this.ctx.engine.transaction(fn);
  }

  /** Splits API values into stored columns and many-to-many links; unknown fields are a programming error. */
  private columnsOf(layout: EntityLayout, values: Row): { row: Record<string, unknown>; links: Map<string, unknown[]> } {
    const row: Record<string, unknown> = {};
    const links = new Map<string, unknown[]>();
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || SERVER_COLUMNS.has(name) || name === layout.id.name) continue;
      const join = layout.joins.get(name);
      if (join) links.set(name, [...new Set((Array.isArray(value) ? value : [value]).map((v) => this.ctx.engine.toDb(join.targetKind, v)))]);
      else if (layout.encrypted.has(name)) this.seal(layout, name, value, row);
      else if (layout.fields.includes(name)) row[name] = this.ctx.engine.toDb(layout.columns.get(name)!.kind, value);
      else throw new Error(`${layout.entity.name} has no field ${name}`);
    }
    return { row, links };
  }

  /** Puts an encrypted field's ciphertext (and its blind index) into `row`. */
  private seal(layout: EntityLayout, field: string, value: unknown, row: Record<string, unknown>): void {
    const column = layout.encrypted.get(field)!;
    const sealed = sealValue(layout.entity.name, column, value, this.ctx.cipher);
    row[field] = sealed.stored;
    if (column.blindIndex) row[column.blindIndex] = sealed.index;
  }

  /**
   * While the keyring holds old keys, a unique encrypted value may still be indexed under one of
   * them (rows `keys rotate` has not reached yet), where the unique index cannot see it: look for
   * it under every key before writing. With one key the unique index alone decides.
   */
  private async checkUniqueAcrossKeys(db: Kysely<any>, layout: EntityLayout, values: Row, self?: string | number): Promise<void> {
    const cipher = this.ctx.cipher;
    if (!cipher || cipher.keyIds.length < 2) return;
    for (const column of layout.encrypted.values()) {
      const value = values[column.field];
      if (!column.blindIndex || value === null || value === undefined || !layout.entity.fields.find((f) => f.name === column.field)?.unique) continue;
      const indexes = cipher.blindIndexes(indexedText(column, serializeValue(column.kind, value)), column.context);
      let q = db.selectFrom(layout.table).select(layout.id.name).where(column.blindIndex, 'in', indexes);
      if (self !== undefined) q = q.where(layout.id.name, '<>', self);
      if (await q.limit(1).executeTakeFirst()) throw new UniqueViolationError(layout.entity.name, column.field);
    }
  }

  private async writeLinks(db: Kysely<any>, layout: EntityLayout, id: unknown, links: Map<string, unknown[]>, replace: boolean): Promise<void> {
    for (const [field, targets] of links) {
      const table = layout.joins.get(field)!.table;
      if (replace) await db.deleteFrom(table).where('sourceId', '=', id).execute();
      if (targets.length) await db.insertInto(table).values(targets.map((targetId) => ({ sourceId: id, targetId }))).execute();
    }
  }

  async insert(entity: string, values: Row): Promise<Row> {
    const layout = this.layout(entity);
    const { row, links } = this.columnsOf(layout, values);
    const now = this.ctx.now();
    for (const f of layout.entity.fields) {
      if (row[f.name] === undefined && f.default !== undefined && !f.ref) {
        const encrypted = layout.encrypted.get(f.name);
        const kind = encrypted?.kind ?? layout.columns.get(f.name)!.kind;
        const value = kind === 'timestamp' && f.default === 'now' ? now : f.default;
        if (encrypted) this.seal(layout, f.name, value, row);
        else row[f.name] = this.ctx.engine.toDb(kind, value);
      }
    }
    row.version = 1;
    if (layout.entity.timestamps) {
      const stamp = this.ctx.engine.toDb('timestamp', now);
      row.createdAt = stamp;
      row.updatedAt = stamp;
    }
    const idName = layout.id.name;
    const generate = layout.entity.id.generate;
    if (generate === 'client') {
      const given = values[idName];
      if (given === undefined || given === null) throw new NotNullViolationError(entity, idName);
      row[idName] = this.ctx.engine.toDb(layout.id.kind, given);
    } else if (generate === 'uuid') row[idName] = randomUUID();
    return this.write(async (db) => {
      // The stored row comes back from the INSERT itself (RETURNING *: SQLite >= 3.35, PostgreSQL).
      let stored: Record<string, unknown> | undefined;
      try {
        await this.checkUniqueAcrossKeys(db, layout, values);
        for (let attempt = 0; stored === undefined; attempt++) {
          if (generate === 'short') {
            if (attempt === SHORT_ID_ATTEMPTS) throw new UniqueViolationError(entity, idName);
            row[idName] = shortId();
          }
          const short = generate === 'short';
          const columns = Object.keys(row);
          const build = () => {
            const q = db.insertInto(layout.table).values(row);
            return (short ? q.onConflict((oc) => oc.column(idName).doNothing()) : q).returningAll();
          };
          [stored] = await this.ctx.shapes.rows(db, `insert|${layout.table}|${short}|${columns.join('\u0000')}`, columns.map((c) => row[c]), build) as Record<string, unknown>[];
        }
        await this.writeLinks(db, layout, stored[idName], links, false);
      } catch (e) {
        return translateWriteError(this.ctx.engine, db, this.ctx.plan, layout, e, { written: row, links });
      }
      const [record] = await toRecords(this.ctx, db, layout, [stored]);
      return record!;
    });
  }

  async get(entity: string, id: string | number, options?: { includeDeleted?: boolean; forUpdate?: boolean }): Promise<Row | undefined> {
    const layout = this.layout(entity);
    const key = storedId(layout, id);
    // A lock outside a transaction would end with its own statement; SQLite's writers are already serialized.
    const lock = options?.forUpdate === true && this.inTransaction && this.ctx.engine.rowLocks;
    const raw = key === undefined ? undefined : await readRow(this.ctx.shapes, this.db, layout, key, options?.includeDeleted, lock);
    return raw ? (await toRecords(this.ctx, this.db, layout, [raw]))[0] : undefined;
  }

  async getMany(entity: string, ids: readonly (string | number)[]): Promise<Row[]> {
    const layout = this.layout(entity);
    const keys = [...new Set(ids.map((id) => storedId(layout, id)).filter((k) => k !== undefined))];
    if (!keys.length) return [];
    let q = this.db.selectFrom(layout.table).selectAll().where(layout.id.name, 'in', keys);
    if (layout.entity.softDelete) q = q.where('deletedAt', 'is', null);
    return toRecords(this.ctx, this.db, layout, (await q.execute()) as Record<string, unknown>[]);
  }

  async list(entity: string, query: ListQuery): Promise<Page> {
    const layout = this.layout(entity);
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000) throw new RangeError(`limit must be an integer 1..1000, got ${query.limit}`);
    const keys = sortKeys(layout, query.sort);
    const where = listPredicate(this.ctx.engine, layout, query, this.ctx.cipher);
    const page = query.cursor ? sql<boolean>`${where} and ${afterCursor(this.ctx.engine, keys, query.cursor)}` : where;
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(layout.table)} where ${page}
      order by ${orderBy(this.ctx.engine, keys)} limit ${query.limit + 1}`.execute(this.db)).rows;
    const more = rows.length > query.limit;
    const shown = rows.slice(0, query.limit);
    const result: Page = { items: await toRecords(this.ctx, this.db, layout, shown, query.fields) };
    if (more) result.nextCursor = encodeCursor(keys, shown[shown.length - 1]!);
    if (query.count) {
      const counted = await sql<{ n: unknown }>`select count(*) as n from ${sql.table(layout.table)} where ${where}`.execute(this.db);
      result.total = Number(counted.rows[0]?.n ?? 0);
    }
    return result;
  }

  async update(entity: string, id: string | number, patch: Row, options?: { expectedVersion?: number; includeDeleted?: boolean }): Promise<Row | WriteConflict | undefined> {
    const layout = this.layout(entity);
    const key = storedId(layout, id);
    if (key === undefined) return undefined;
    const { row, links } = this.columnsOf(layout, patch);
    return this.write(async (db) => {
      const set: Record<string, unknown> = { ...row, version: sql`${sql.ref('version')} + 1` };
      if (layout.entity.timestamps) set.updatedAt = this.ctx.engine.toDb('timestamp', this.ctx.now());
      let q = db.updateTable(layout.table).set(set).where(layout.id.name, '=', key);
      if (layout.entity.softDelete && !options?.includeDeleted) q = q.where('deletedAt', 'is', null);
      if (options?.expectedVersion !== undefined) q = q.where('version', '=', options.expectedVersion);
      try {
        await this.checkUniqueAcrossKeys(db, layout, patch, key);
        const done = await q.executeTakeFirst();
        if (done.numUpdatedRows === 0n) return this.missOrConflict(db, layout, key);
        await this.writeLinks(db, layout, key, links, true);
      } catch (e) {
        return translateWriteError(this.ctx.engine, db, this.ctx.plan, layout, e, { written: row, links });
      }
      return (await toRecords(this.ctx, db, layout, [(await readRow(this.ctx.shapes, db, layout, key, options?.includeDeleted))!]))[0];
    });
  }

  async delete(entity: string, id: string | number, options?: { expectedVersion?: number; hard?: boolean }): Promise<boolean | WriteConflict> {
    const layout = this.layout(entity);
    const key = storedId(layout, id);
    if (key === undefined) return false;
    return this.write(async (db) => {
      let done: bigint;
      try {
        if (layout.entity.softDelete && !options?.hard) {
          const at = this.ctx.engine.toDb('timestamp', this.ctx.now());
          let q = db.updateTable(layout.table).set({ deletedAt: at, version: sql`${sql.ref('version')} + 1` }).where(layout.id.name, '=', key).where('deletedAt', 'is', null);
          if (options?.expectedVersion !== undefined) q = q.where('version', '=', options.expectedVersion);
          done = (await q.executeTakeFirst()).numUpdatedRows;
        } else {
          let q = db.deleteFrom(layout.table).where(layout.id.name, '=', key);
          if (options?.expectedVersion !== undefined) q = q.where('version', '=', options.expectedVersion);
          done = (await q.executeTakeFirst()).numDeletedRows;
        }
      } catch (e) {
        return translateWriteError(this.ctx.engine, db, this.ctx.plan, layout, e, { deletedId: key });
      }
      if (done > 0n) return true;
      return (await this.missOrConflict(db, layout, key)) ?? false;
    });
  }

  /** After a conditional write touched nothing: absent (undefined) or a version conflict. */
  private async missOrConflict(db: Kysely<any>, layout: EntityLayout, key: string | number): Promise<WriteConflict | undefined> {
    const current = await readRow(this.ctx.shapes, db, layout, key);
    return current ? { conflict: 'version', currentVersion: Number(current.version) } : undefined;
  }
}
