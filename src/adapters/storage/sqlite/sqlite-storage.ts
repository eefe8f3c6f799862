import type { SystemModel } from '../../../model/system-model.ts';
import { StorageUnavailableError, type Storage, type StorageConfig } from '../storage.ts';
import { KyselyStorage } from '../kysely-storage.ts';
import { SqliteEngine } from './sqlite-engine.ts';

/** How long a write waits for another connection's write lock before failing. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens the SQLite database at `config.url` (a file path, or ":memory:") with WAL journaling, a
 * 5 s busy timeout and foreign keys enforced. Throws StorageUnavailableError when the file cannot
 * be opened.
 *
 * @example
 * const storage = await createSqliteStorage(model, { engine: 'sqlite', url: 'data/linkly.sqlite' });
 * await storage.migrate();
 */
export async function createSqliteStorage(model: SystemModel, config: StorageConfig): Promise<Storage> {
  const { default: Database } = await import('better-sqlite3');
  let database;
  try {
    database = new Database(config.url);
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
  } catch (e) {
    database?.close();
    throw new StorageUnavailableError(`cannot open SQLite database ${config.url}: ${(e as Error).message}`, { cause: e });
  }
  return new KyselyStorage(model, new SqliteEngine(database, SQLITE_BUSY_TIMEOUT_MS), { fieldCipher: config.fieldCipher });
}
