import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { ImmediateSqliteDialect } from './sqlite-immediate-dialect.ts';
import { StorageUnavailableError } from '../storage.ts';

const dir = mkdtempSync(join(tmpdir(), 'archspec-busy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a SQLite write lock held beyond the busy timeout', () => {
  it('fails the waiting transaction with StorageUnavailableError (the API answers 503), not a raw SQLITE_BUSY', async () => {
    const file = join(dir, 'busy.sqlite');
    const holder = new Database(file);
    holder.pragma('journal_mode = WAL');
    holder.exec('create table t (x integer)');
    holder.exec('begin immediate');
    const db = new Kysely<any>({ dialect: new ImmediateSqliteDialect(new Database(file), 50) });
    try {
      const waiting = db.transaction().execute((trx) => sql`insert into t values (1)`.execute(trx));
      await expect(waiting).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(waiting).rejects.toThrow(/busy.*50 ms/);
    } finally {
      holder.exec('rollback');
      holder.close();
      await db.destroy();
    }
  });
});
