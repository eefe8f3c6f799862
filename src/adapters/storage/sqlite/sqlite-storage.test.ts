import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStorage } from './sqlite-storage.ts';
import { StorageUnavailableError } from '../storage.ts';
import { storageTestModel } from '../../../../test/conformance/storage-test-model.ts';
import { testFieldCipher } from '../../../runtime/test-support/test-field-cipher.ts';

const model = storageTestModel();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'archspec-sqlite-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createSqliteStorage', () => {
  it('opens the file in WAL mode and enforces foreign keys', async () => {
    const file = join(dir, 'app.sqlite');
    const storage = await createSqliteStorage(model, { engine: 'sqlite', url: file });
    await storage.migrate();
    await storage.close();
    const raw = new Database(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const again = await createSqliteStorage(model, { engine: 'sqlite', url: file });
    await expect(again.insert('Note', { author: 'ghost', body: 'x' })).rejects.toMatchObject({ name: 'ForeignKeyViolationError' });
    await again.close();
  });

  it('serializes writers from several connections to one file without SQLITE_BUSY', async () => {
    const file = join(dir, 'app.sqlite');
    const fieldCipher = testFieldCipher();
    const [a, b] = await Promise.all([createSqliteStorage(model, { engine: 'sqlite', url: file, fieldCipher }), createSqliteStorage(model, { engine: 'sqlite', url: file, fieldCipher })]);
    await a!.migrate();
    const user = await a!.insert('User', { email: 'w@example.com' });
    // Each transaction yields between statements while holding the write lock; the other connection waits.
    const write = (s: typeof a, i: number) => s!.transaction(async (tx) => {
      const n = await tx.insert('Note', { author: user.id, body: `n${i}` });
      await new Promise((r) => setTimeout(r, 1));
      await tx.update('Note', n.id as string, { rank: i });
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => write(i % 2 ? a : b, i)));
    expect((await b!.list('Note', { limit: 100, count: true })).total).toBe(20);
    await Promise.all([a!.close(), b!.close()]);
  });

  it('reports a database it cannot open as unavailable, naming the path', async () => {
    const url = join(dir, 'missing-folder', 'app.sqlite');
    await expect(createSqliteStorage(model, { engine: 'sqlite', url })).rejects.toThrow(StorageUnavailableError);
    await expect(createSqliteStorage(model, { engine: 'sqlite', url })).rejects.toThrow(url);
  });
});
