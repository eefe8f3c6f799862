import type { SystemModel } from '../../../model/system-model.ts';
import { StorageUnavailableError, type Storage, type StorageConfig } from '../storage.ts';
import { KyselyStorage } from '../kysely-storage.ts';
import { PostgresEngine } from './postgres-engine.ts';
import { guardClient } from './postgres-connection-errors.ts';
import { hostPortOf } from '../connection-address.ts';

const CONNECT_TIMEOUT_MS = 5000;


/**
 * Opens a pg pool on `config.url` (size `config.poolSize`, else the model's
 * `scalability.database.pool`) and checks it answers. Values come back as the API wants them:
 * int8 as numbers, numeric as exact strings, timestamptz as ISO-8601 strings, date as text.
 * Throws StorageUnavailableError naming host:port when the server cannot be reached; later
 * connection failures (refused, dropped mid-query, server shutting down) raise the same error, and
 * the pool recovers by itself once the server answers again (dead clients are dropped, new
 * connections are opened on demand; a connection attempt gives up after 5 s).
 *
 * @example
 * const storage = await createPostgresStorage(model, { engine: 'postgres', url: 'postgres://app@db:5432/app' });
 */
export async function createPostgresStorage(model: SystemModel, config: StorageConfig): Promise<Storage> {
  const { default: pg } = await import('pg');
  const where = hostPortOf(config.url);
  const parsers: Record<number, (text: string) => unknown> = {
    20: (t) => Number(t), // int8: ids and integers, exact below 2^53
    1082: (t) => t, // date stays YYYY-MM-DD, no local-time Date
    1114: (t) => new Date(`${t.replace(' ', 'T')}Z`).toISOString(),
    1184: (t) => new Date(t.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString(),
  };
  const types = { getTypeParser: ((oid: number, format?: 'text' | 'binary') => parsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser };

  class ReportingPool extends pg.Pool {
    // kysely takes connections with connect(); a refused connection becomes an operational error.
    override connect(...args: unknown[]): any {
      if (args.length) return (super.connect as (...a: unknown[]) => unknown)(...args);
      return (super.connect() as Promise<unknown>).catch((e: unknown) => {
        throw new StorageUnavailableError(`cannot connect to PostgreSQL at ${where}: ${(e as Error).message}`, { cause: e });
      });
    }
  }

  const pool = new ReportingPool({
    connectionString: config.url,
    max: config.poolSize ?? model.scalability.database.pool,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types,
  });
  // An idle client losing its server emits here; the pool drops it and the next query reconnects.
  pool.on('error', () => {});
  // A checked-out one would emit `error` with no listener (a crash); its query rejects instead.
  pool.on('connect', (client) => guardClient(client, where));
  const engine = new PostgresEngine(pool, where);
  try {
    await engine.ping();
  } catch (e) {
    await engine.close().catch(() => {});
    throw e;
  }
  return new KyselyStorage(model, engine, { fieldCipher: config.fieldCipher });
}
