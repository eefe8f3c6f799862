import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage, StorageEngineName } from '../../adapters/storage/storage.ts';
import { createStorage } from '../../adapters/storage/create-storage.ts';
import { createFieldCipher, type FieldAlgorithm } from '../../adapters/storage/encryption/field-cipher.ts';
import { parseKeyring } from '../../adapters/storage/encryption/keyring.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { postgresUrl } from '../../../test/support/postgres.ts';

/**
 * Test support for the data-policy tests (retention, erasure): a migrated storage of `model` on a
 * fresh database of `engine`, with field encryption on as the server has it, and the engines the
 * suite runs on (`STORAGE_ENGINES=sqlite` narrows them, as for the e2e suites).
 */

export const TEST_ENGINES: StorageEngineName[] = (process.env.STORAGE_ENGINES ?? 'sqlite,postgres')
  .split(',').map((e) => e.trim()).filter((e): e is StorageEngineName => e === 'sqlite' || e === 'postgres');

/** 32 bytes of base64 under the key id `t`. */
const FIELD_KEY = 't:dGVzdCBmaWVsZCBlbmNyeXB0aW9uIGtleSAzMiBiISE=';

/** Opens and migrates a storage; `close` also drops the database. */
export async function openTestStorage(model: SystemModel, engine: StorageEngineName): Promise<{ storage: Storage; close(): Promise<void> }> {
  const fieldCipher = createFieldCipher(parseKeyring(FIELD_KEY), model.security.encryption.algorithm as FieldAlgorithm);
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'archspec-data-'));
    const storage = await createStorage(model, { engine, url: join(dir, 'data.sqlite'), fieldCipher });
    await storage.migrate();
    return { storage, close: async () => { await storage.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const pg = await postgresUrl();
  const storage = await createStorage(model, { engine, url: pg.url, poolSize: 3, fieldCipher });
  await storage.migrate();
  return { storage, close: async () => { await storage.close(); await pg.stop(); } };
}

/** Moves `field` of record `id` of `entity` (table = entity name) `days` into the past, bypassing the record operations. */
export async function age(storage: Storage, entity: string, id: unknown, field: string, days: number, idField = 'id'): Promise<void> {
  const at = new Date(Date.now() - days * 86_400_000).toISOString();
  await storage.kysely.updateTable(entity).set({ [field]: at }).where(idField, '=', id).execute();
}
