import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresUrl } from '../../../../test/support/postgres.ts';
import { storageTestModel } from '../../../../test/conformance/storage-test-model.ts';
import { createStorage } from '../create-storage.ts';
import type { StorageEngineName } from '../storage.ts';
import { systemTables } from './system-tables.ts';

// The schema diff compares each column's planned SQL type with what introspection reports. A system
// table column whose type the engine reports differently (PostgreSQL reports `integer` as `int4`)
// would read as a type change and make every later migration "destructive".
const ENGINES = (process.env.STORAGE_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()) as StorageEngineName[];

describe.each(ENGINES)('system tables on %s', (engine) => {
  it('report back the SQL types they were created with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archspec-system-tables-'));
    const pg = engine === 'postgres' ? await postgresUrl() : undefined;
    const storage = await createStorage(storageTestModel(), { engine, url: pg?.url ?? join(dir, 'db.sqlite') });
    try {
      await storage.migrate();
      const live = new Map((await storage.kysely.introspection.getTables()).map((t) => [t.name, new Map(t.columns.map((c) => [c.name, c.dataType.toLowerCase()]))]));
      for (const table of systemTables()) {
        for (const column of table.columns) expect(live.get(table.name)?.get(column.name), `${table.name}.${column.name}`).toBe(column.sqlType);
      }
    } finally {
      await storage.close();
      await pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
