import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { SystemModel } from '../../src/model/system-model.ts';
import type { Storage, StorageEngineName } from '../../src/adapters/storage/storage.ts';
import { storageTestModel } from './storage-test-model.ts';

/** One engine's test database: emptied before every test, opened as many times as a test needs. */
export interface StorageFixture {
  /** Gives the next test an empty database. */
  reset(): Promise<void>;
  /** A storage on the current database for `model` (not migrated). */
  open(model: SystemModel): Promise<Storage>;
  /** Releases the database (end of the file). */
  close(): Promise<void>;
}

/** What each conformance test uses: the test model and storages it need not close itself. */
export interface SuiteContext {
  model: SystemModel;
  /** A storage on this test's database; migrated unless `migrate: false`. Closed after the test. */
  open(options?: { model?: SystemModel; migrate?: boolean }): Promise<Storage>;
}

/** Engines to run: `STORAGE_ENGINES=sqlite,postgres` (default: all). */
export function engineEnabled(name: StorageEngineName): boolean {
  const list = process.env.STORAGE_ENGINES?.split(',').map((s) => s.trim()).filter(Boolean);
  return !list?.length || list.includes(name);
}

/** Registers the hooks that give every test of the current describe a fresh database. */
export function useStorageFixture(makeFixture: () => Promise<StorageFixture>): SuiteContext {
  let fixture: StorageFixture | undefined;
  const opened: Storage[] = [];
  const model = storageTestModel();
  beforeAll(async () => {
    fixture = await makeFixture();
  });
  afterAll(async () => {
    await fixture?.close();
  });
  beforeEach(async () => {
    await fixture!.reset();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  return {
    model,
    async open(options = {}) {
      const storage = await fixture!.open(options.model ?? model);
      opened.push(storage);
      if (options.migrate !== false) {
        const report = await storage.migrate();
        if (report.refused) throw new Error(`test schema refused: ${report.destructive.join('; ')}`);
      }
      return storage;
    },
  };
}
