import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase } from 'kysely';
import type Database from 'better-sqlite3';
import { StorageUnavailableError } from '../storage.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SQLite applies a pragma's setting while preparing it, so a cached pragma would not run again. */
const PRAGMA = /^\s*pragma\b/i;

/** How many prepared statements a connection keeps (least recently used ones are dropped). */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * The database as kysely's SQLite driver sees it, with `prepare` memoized by SQL text in a bounded
 * least-recently-used map: kysely prepares every query it runs, and preparing costs more than
 * running a small statement. Pragmas are never cached (SQLite applies a setting such as
 * `foreign_keys = off` when preparing it, not when running it). SQLite re-prepares a cached
 * statement itself after a schema change; a cached statement still being iterated (`busy`) is not
 * handed out twice, a fresh one is. Closing drops the cache and closes the database.
 */
export function statementCache(database: Database.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    prepare(sql: string) {
      if (PRAGMA.test(sql)) return database.prepare(sql);
      const cached = statements.get(sql);
      if (cached && !cached.busy) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (!cached) {
        statements.set(sql, statement);
        if (statements.size > size) statements.delete(statements.keys().next().value!);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}

/**
 * kysely's SQLite driver with write transactions that start as `BEGIN IMMEDIATE`: the write lock is
 * taken up front, so two writers never both read and then fail to upgrade (SQLITE_BUSY mid-transaction).
 * Waiting for the lock polls asynchronously instead of blocking the event loop in the busy handler,
 * so other connections in the same process (or other processes) can finish and release it.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  private readonly restoreTimeout: string;

  constructor(private readonly database: Database.Database, private readonly busyTimeoutMs: number) {
    super({ database: statementCache(database) });
    this.restoreTimeout = `pragma busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const deadline = Date.now() + this.busyTimeoutMs;
    // SQLite applies busy_timeout while preparing the pragma, so it cannot come from the statement
    // cache; exec() runs it without building a Statement object (a fifth of pragma()'s cost).
    this.database.exec('pragma busy_timeout = 0');
    try {
      for (;;) {
        try {
          await connection.executeQuery(CompiledQuery.raw('begin immediate'));
          return;
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
          // Still locked after the busy timeout: the database is overloaded, not the request wrong (a 503, not a 500).
          if (Date.now() > deadline) throw new StorageUnavailableError(`SQLite database is busy: another writer held its lock for more than ${this.busyTimeoutMs} ms`, { cause: e });
          await sleep(2 + Math.random() * 10);
        }
      }
    } finally {
      this.database.exec(this.restoreTimeout);
    }
  }
}

/**
 * SqliteDialect over one better-sqlite3 connection whose transactions begin immediately and whose
 * statements are prepared once per SQL text (see {@link statementCache}).
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
