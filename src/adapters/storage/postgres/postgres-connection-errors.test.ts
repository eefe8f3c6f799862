import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { asUnavailable, isConnectionFailure } from './postgres-connection-errors.ts';
import { createPostgresStorage } from './postgres-storage.ts';
import { StorageUnavailableError, type Storage } from '../storage.ts';
import { storageTestModel } from '../../../../test/conformance/storage-test-model.ts';
import { postgresUrl } from '../../../../test/support/postgres.ts';
import { TcpProxy } from '../../../../test/support/tcp-proxy.ts';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionFailure', () => {
  it('recognizes broken or refused connections and a server going away', () => {
    for (const e of [
      pgError('ECONNREFUSED'), pgError('ECONNRESET'), pgError('EPIPE'), pgError('ETIMEDOUT'), pgError('ENOTFOUND'),
      pgError('08006'), pgError('08003'), pgError('57P01'), pgError('57P03'), pgError('53300'),
      new Error('Connection terminated unexpectedly'), new Error('Connection terminated due to connection timeout'),
      new Error('Client has encountered a connection error and is not queryable'), new Error('timeout exceeded when trying to connect'),
      new StorageUnavailableError('down'),
    ]) expect(isConnectionFailure(e), String(e)).toBe(true);
  });

  it('leaves query and constraint errors alone', () => {
    for (const e of [pgError('23505'), pgError('42P01'), pgError('57014'), pgError('40001'), new Error('syntax error'), undefined, null, 'text']) {
      expect(isConnectionFailure(e), String(e)).toBe(false);
    }
  });

  it('wraps only connection failures, naming host:port and keeping the cause', () => {
    const lost = new Error('Connection terminated unexpectedly');
    const wrapped = asUnavailable(lost, 'db.internal:5432') as StorageUnavailableError;
    expect(wrapped).toBeInstanceOf(StorageUnavailableError);
    expect(wrapped.message).toBe('PostgreSQL at db.internal:5432 is unreachable: Connection terminated unexpectedly');
    expect(wrapped.cause).toBe(lost);
    const unique = pgError('23505');
    expect(asUnavailable(unique, 'db.internal:5432')).toBe(unique);
  });
});

const engines = (process.env.STORAGE_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim());

describe.skipIf(!engines.includes('postgres'))('a PostgreSQL pool losing its server (through a TCP proxy)', () => {
  let database: { url: string; stop(): Promise<void> };
  let proxy: TcpProxy;
  let storage: Storage;

  beforeAll(async () => {
    database = await postgresUrl();
    proxy = await TcpProxy.for(database.url, 5432).up();
    storage = await createPostgresStorage(storageTestModel(), { engine: 'postgres', url: proxy.rewrite(database.url), poolSize: 2 });
  });

  afterAll(async () => {
    await storage?.close();
    await proxy?.down();
    await database?.stop();
  });

  it('fails the query in flight and new ones with StorageUnavailableError, then recovers by itself', async () => {
    const inFlight = sql`select pg_sleep(5)`.execute(storage.kysely);
    const inTransaction = storage.transaction(async (tx) => {
      await sql`select 1`.execute(tx.kysely);
      await sql`select pg_sleep(5)`.execute(tx.kysely);
    });
    const outcomes = Promise.allSettled([inFlight, inTransaction]);
    await new Promise((r) => setTimeout(r, 200));
    await proxy.down();
    // A checked-out client losing its connection must not crash the process (an unhandled `error` event).
    for (const outcome of await outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StorageUnavailableError);
    }
    await expect(sql`select 1`.execute(storage.kysely)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(storage.ping()).rejects.toBeInstanceOf(StorageUnavailableError);

    await proxy.up();
    await storage.ping();
    expect((await sql<{ one: number }>`select 1 as one`.execute(storage.kysely)).rows).toEqual([{ one: 1 }]);
  });
});
