import type { Kysely } from 'kysely';
import type { SystemModel } from '../../../model/system-model.ts';
import type { FieldCipher, Storage } from '../storage.ts';
import { FieldDecryptionError } from '../storage-errors.ts';
import { planSchema, type EncryptedColumn, type EntityLayout } from '../schema-plan.ts';
import { indexedText, parseValue, serializeValue } from '../encrypted-columns.ts';

/**
 * Maintenance of encrypted fields, below the record operations (it reads and writes the stored
 * text, never decrypted records): which key each stored value is under (`keys status`), and
 * re-encryption under the current key (`keys rotate`). Rotation does not change what a record
 * says, so it leaves `version` and `updatedAt` alone (ETags and caches stay valid).
 */

/** How the stored values of one encrypted field are spread over keys. */
export interface FieldKeyUsage {
  entity: string;
  field: string;
  /** Non-null values by key id (`<id> (other algorithm)` for values under the current id but not the configured algorithm). */
  keys: Record<string, number>;
  /** Values stored before the field was encrypted (not in the encrypted format). */
  plaintext: number;
  /** Key ids found that the keyring does not have (those values cannot be read). */
  unknownKeys: string[];
}

/** What rotation did to one entity. */
export interface RotationCount {
  entity: string;
  /** Rows read. */
  rows: number;
  /** Rows written (anything re-encrypted or re-indexed). */
  updated: number;
  /** Values re-encrypted under the current key (plaintext ones included). */
  reencrypted: number;
  /** Of those, values that were plaintext. */
  plaintext: number;
  /** Blind indexes written (re-encrypted values, and indexes missing or stale). */
  indexes: number;
}

/** Rotation stopped at a value it cannot re-encrypt; the batches before it are committed. */
export class KeyRotationError extends Error {
  readonly code = 'key_rotation_failed';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyRotationError';
  }
}

const layoutsWithEncryption = (model: SystemModel, storage: Storage): EntityLayout[] =>
  [...planSchema(model, storage.engine).layouts.values()].filter((l) => l.encrypted.size > 0);

const columnsOf = (layout: EntityLayout): string[] =>
  [layout.id.name, ...[...layout.encrypted.values()].flatMap((c) => (c.blindIndex ? [c.field, c.blindIndex] : [c.field]))];

/** Rows of `layout` after `after` in id order, `limit` at a time (keyset paging: stable under concurrent writes). */
async function page(db: Kysely<any>, layout: EntityLayout, after: unknown, limit: number): Promise<Record<string, unknown>[]> {
  let q = db.selectFrom(layout.table).select(columnsOf(layout)).orderBy(layout.id.name).limit(limit);
  if (after !== undefined) q = q.where(layout.id.name, '>', after);
  return (await q.execute()) as Record<string, unknown>[];
}

/**
 * How many values of each encrypted field each key holds, read in pages of `batchSize` rows; a
 * key can be dropped from the keyring when no field counts values under it.
 */
export async function fieldKeyUsage(storage: Storage, model: SystemModel, cipher: FieldCipher, batchSize = 1000): Promise<FieldKeyUsage[]> {
  const usage: FieldKeyUsage[] = [];
  for (const layout of layoutsWithEncryption(model, storage)) {
    const counts = new Map([...layout.encrypted.keys()].map((field) => [field, { entity: layout.entity.name, field, keys: {}, plaintext: 0, unknownKeys: [] } as FieldKeyUsage]));
    for (let rows = await page(storage.kysely, layout, undefined, batchSize); rows.length; rows = await page(storage.kysely, layout, rows[rows.length - 1]![layout.id.name], batchSize)) {
      for (const row of rows) {
        for (const column of layout.encrypted.values()) {
          const stored = row[column.field];
          if (stored === null || stored === undefined) continue;
          const count = counts.get(column.field)!;
          const keyId = cipher.keyIdOf(String(stored));
          if (keyId === undefined) {
            count.plaintext++;
            continue;
          }
          const label = keyId === cipher.currentKeyId && !cipher.isCurrent(String(stored)) ? `${keyId} (other algorithm)` : keyId;
          count.keys[label] = (count.keys[label] ?? 0) + 1;
          if (!cipher.keyIds.includes(keyId) && !count.unknownKeys.includes(keyId)) count.unknownKeys.push(keyId);
        }
      }
    }
    usage.push(...counts.values());
  }
  return usage;
}

/** Whether a row holds a value not under the current key, or a blind index missing or left behind. */
function needsWork(layout: EntityLayout, row: Record<string, unknown>, cipher: FieldCipher): boolean {
  return [...layout.encrypted.values()].some((column) => {
    const stored = row[column.field];
    const index = column.blindIndex ? row[column.blindIndex] ?? null : null;
    if (stored === null || stored === undefined) return index !== null;
    return !cipher.isCurrent(String(stored)) || (column.blindIndex !== undefined && index === null);
  });
}

/** The columns to write for one row, or undefined when it is current; counts what changes into `count`. */
function rotatedRow(layout: EntityLayout, row: Record<string, unknown>, cipher: FieldCipher, count: RotationCount): Record<string, unknown> | undefined {
  const set: Record<string, unknown> = {};
  const record = `${layout.entity.name} ${String(row[layout.id.name])}`;
  for (const column of layout.encrypted.values()) {
    const stored = row[column.field] === null || row[column.field] === undefined ? null : String(row[column.field]);
    const index = column.blindIndex ? row[column.blindIndex] ?? null : null;
    if (stored === null) {
      if (index !== null) set[column.blindIndex!] = null;
      continue;
    }
    // Current value with its index in place: nothing to do, and nothing to decrypt.
    if (cipher.isCurrent(stored) && (!column.blindIndex || index !== null)) continue;
    const text = textOf(column, stored, cipher, record);
    if (!cipher.isCurrent(stored)) {
      set[column.field] = cipher.encrypt(text, column.context);
      count.reencrypted++;
      if (cipher.keyIdOf(stored) === undefined) count.plaintext++;
    }
    if (column.blindIndex) {
      const wanted = cipher.blindIndex(indexedText(column, text), column.context);
      if (wanted !== index) {
        set[column.blindIndex] = wanted;
        count.indexes++;
      }
    }
  }
  return Object.keys(set).length ? set : undefined;
}

/** The plaintext of a stored value; plaintext from before encryption is made canonical (a former boolean column's `1` becomes `true`). */
function textOf(column: EncryptedColumn, stored: string, cipher: FieldCipher, record: string): string {
  if (cipher.keyIdOf(stored) === undefined) return serializeValue(column.kind, parseValue(column.kind, stored));
  try {
    return cipher.decrypt(stored, column.context);
  } catch (e) {
    if (e instanceof FieldDecryptionError) throw new KeyRotationError(e.of(record).message, { cause: e });
    throw e;
  }
}

/**
 * Re-encrypts every stored value not under the current key and algorithm (plaintext ones too)
 * and writes missing or stale blind indexes, `batchSize` rows per transaction. Rows are re-read
 * inside the transaction (locked on PostgreSQL), so concurrent writes are not lost. Idempotent and
 * resumable: committed batches stay done, and a second run finds nothing to do.
 *
 * @throws KeyRotationError naming the record and key id of a value that cannot be decrypted, or
 *   the record whose new blind index collides with another (a unique email differing only in case)
 * @example
 * for (const c of await rotateFieldKeys(storage, model, cipher)) console.log(c.entity, c.reencrypted);
 */
export async function rotateFieldKeys(storage: Storage, model: SystemModel, cipher: FieldCipher, options: { batchSize?: number; onBatch?: (count: RotationCount) => void } = {}): Promise<RotationCount[]> {
  const batchSize = options.batchSize ?? 500;
  const counts: RotationCount[] = [];
  for (const layout of layoutsWithEncryption(model, storage)) {
    const count: RotationCount = { entity: layout.entity.name, rows: 0, updated: 0, reencrypted: 0, plaintext: 0, indexes: 0 };
    for (let rows = await page(storage.kysely, layout, undefined, batchSize); rows.length; rows = await page(storage.kysely, layout, rows[rows.length - 1]![layout.id.name], batchSize)) {
      count.rows += rows.length;
      const due = rows.filter((r) => needsWork(layout, r, cipher)).map((r) => r[layout.id.name]);
      if (due.length) await rotateBatch(storage, layout, due, cipher, count);
      options.onBatch?.({ ...count });
    }
    counts.push(count);
  }
  return counts;
}

async function rotateBatch(storage: Storage, layout: EntityLayout, ids: unknown[], cipher: FieldCipher, count: RotationCount): Promise<void> {
  const done = { ...count };
  await storage.transaction(async (tx) => {
    let q = tx.kysely.selectFrom(layout.table).select(columnsOf(layout)).where(layout.id.name, 'in', ids);
    if (storage.engine === 'postgres') q = q.forUpdate();
    for (const row of (await q.execute()) as Record<string, unknown>[]) {
      const set = rotatedRow(layout, row, cipher, done);
      if (!set) continue;
      try {
        await tx.kysely.updateTable(layout.table).set(set).where(layout.id.name, '=', row[layout.id.name]).execute();
      } catch (e) {
        throw new KeyRotationError(`cannot store the re-encrypted ${layout.entity.name} ${String(row[layout.id.name])}: ${(e as Error).message}`, { cause: e });
      }
      done.updated++;
    }
  });
  Object.assign(count, done);
}

/**
 * A quick look at up to `sample` stored values per encrypted field (for start-up): key ids the
 * keyring lacks, with the fields holding them, and fields holding plaintext from before encryption.
 */
export async function sampleFieldKeys(storage: Storage, model: SystemModel, cipher: FieldCipher, sample = 50): Promise<{ unknownKeys: Map<string, string[]>; plaintext: string[] }> {
  const unknownKeys = new Map<string, string[]>();
  const plaintext: string[] = [];
  for (const layout of layoutsWithEncryption(model, storage)) {
    for (const column of layout.encrypted.values()) {
      const rows = await storage.kysely.selectFrom(layout.table).select(column.field).where(column.field, 'is not', null).limit(sample).execute();
      for (const row of rows as Record<string, unknown>[]) {
        const keyId = cipher.keyIdOf(String(row[column.field]));
        if (keyId === undefined) {
          if (!plaintext.includes(column.context)) plaintext.push(column.context);
        } else if (!cipher.keyIds.includes(keyId)) {
          unknownKeys.set(keyId, [...new Set([...(unknownKeys.get(keyId) ?? []), column.context])]);
        }
      }
    }
  }
  return { unknownKeys, plaintext };
}
