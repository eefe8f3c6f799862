import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import type Database from 'better-sqlite3';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * kysely's SQLite driver with write transactions that start as `BEGIN IMMEDIATE`: the write lock is
 * taken up front, so two writers never both read and then fail to upgrade (SQLITE_BUSY mid-transaction).
 * Waiting for the lock polls asynchronously instead of blocking the event loop in the busy handler,
 * so other connections in the same process (or other processes) can finish and release it.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(private readonly database: Database.Database, private readonly busyTimeoutMs: number) {
    super({ database });
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const deadline = Date.now() + this.busyTimeoutMs;
    this.database.pragma('busy_timeout = 0');
    try {
      for (;;) {
        try {
          await connection.executeQuery(CompiledQuery.raw('begin immediate'));
          return;
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e;
          await sleep(2 + Math.random() * 10);
        }
      }
    } finally {
      this.database.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }
}

/**
 * SqliteDialect over one better-sqlite3 connection whose transactions begin immediately.
 *
 * @example
 * const db = new Kysely<any>({ dialect: new ImmediateSqliteDialect(new Database('app.sqlite'), 5000) });
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: Database.Database, private readonly busyTimeoutMs: number) {
    super({ database });
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.database, this.busyTimeoutMs);
  }
}
