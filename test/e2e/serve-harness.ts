import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createStorage } from '../../src/adapters/storage/create-storage.ts';
import { analyze } from '../../src/model/analyze.ts';
import type { SystemModel } from '../../src/model/system-model.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';
import type { Storage, StorageConfig, StorageEngineName } from '../../src/adapters/storage/storage.ts';
import { createAuth } from '../../src/runtime/auth/create-auth.ts';
import type { CounterStore } from '../../src/adapters/counters/counter-store.ts';
import { buildServer, type ServerDeps } from '../../src/runtime/server.ts';
import { exampleModel, type ExampleName } from '../../src/runtime/test-support/example-models.ts';
import { createFieldCipher, type FieldAlgorithm } from '../../src/adapters/storage/encryption/field-cipher.ts';
import { parseKeyring } from '../../src/adapters/storage/encryption/keyring.ts';
import { postgresUrl } from '../support/postgres.ts';
import { replicaSources } from '../../src/cli/open-storage.ts';

/**
 * End-to-end harness: one example served over real HTTP (port 0, real fetch) on a fresh database of
 * the chosen engine. `STORAGE_ENGINES=sqlite` (comma list) narrows the engines the suites run on.
 */

export const ENGINES: StorageEngineName[] = (process.env.STORAGE_ENGINES ?? 'sqlite,postgres')
  .split(',').map((e) => e.trim()).filter((e): e is StorageEngineName => e === 'sqlite' || e === 'postgres');

export const JWT_SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';
/** The payments example's webhook secret (`env:PROCESSOR_WEBHOOK_SECRET`) as the served app sees it. */
export const WEBHOOK_SECRET = 'e2e-processor-webhook-secret';
/** The field encryption key (`security.encryption.key`) the served examples use: base64 of 32 bytes. */
export const FIELD_KEY = 'e2e:ZTJlIGZpZWxkIGVuY3J5cHRpb24ga2V5IDMyIGIhISE=';

/** How to vary a served example. */
export interface ServeOptions {
  /** Rewrites the example's spec text before it is loaded (handlers still come from the example). */
  spec?: (text: string) => string;
  /** The field encryption keyring, `[id:]base64,...` current first (default FIELD_KEY). */
  fieldKeys?: string;
  /**
   * Enforce the endpoints' rate limits (default false: suites sign up many accounts from 127.0.0.1,
   * beyond sign-up's 10/hour; the login throttle is always on). test/e2e/serve-rate-limits.test.ts
   * turns them on.
   */
  rateLimits?: boolean;
  /** The counter store the server counts in (default: its own memory store). */
  counters?: CounterStore;
  /** Believe X-Forwarded-For (ServerDeps.trustProxy), to act as several client addresses. */
  trustProxy?: boolean;
  /** Event relay and delivery tuning (ServerDeps.events): short polls and backoffs for tests. */
  events?: ServerDeps['events'];
  /** Idempotency-Key tuning (ServerDeps.idempotency): a short takeover time or key lifetime for tests. */
  idempotency?: ServerDeps['idempotency'];
  /** The cache store (ServerDeps.cache), e.g. one whose operations fail (default: the server opens its own). */
  cache?: ServerDeps['cache'];
  /**
   * Scheduled jobs (ServerDeps.jobs). Default `{ schedule: false }`: a suite must not see a job's
   * writes (reminders bumping record versions) depending on the wall clock; job tests fire occurrences explicitly.
   */
  jobs?: ServerDeps['jobs'];
  /** Variables added to the server's environment (ServerDeps.env), e.g. `REDIS_URL`. */
  env?: Record<string, string>;
  /**
   * Serve on this existing database (another Served's `databaseUrl`: two instances of one service)
   * instead of a fresh one; it is migrated again (a no-op) and left in place on close.
   */
  databaseUrl?: string;
  /** Read replicas of `databaseUrl` (DATABASE_REPLICA_URLS), polled every 100 ms; `replicaTuning` overrides the timings. */
  replicaUrls?: string[];
  replicaTuning?: Omit<NonNullable<ServerDeps['replicas']>, 'sources'>;
}

/** A served example and helpers to talk to it. */
export interface Served {
  base: string;
  app: FastifyInstance;
  storage: Storage;
  /** Where the database is: the SQLite file, or the PostgreSQL URL (for `DATABASE_URL` of a CLI command on it). */
  databaseUrl: string;
  /** Moves the auth clock forward (token expiry tests). */
  advanceClock(ms: number): void;
  /** `path` is relative to the API base path, or to the server root with `root: true`. */
  call(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string; root?: boolean }): Promise<Answer>;
  /** Signs up and logs in; returns the user id and an access token. */
  account(email: string, options?: { role?: string; fields?: Record<string, unknown> }): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A fresh database of `engine` and how to throw it away. */
async function database(engine: StorageEngineName, dir: string): Promise<{ config: StorageConfig; stop(): Promise<void> }> {
  if (engine === 'sqlite') return { config: { engine, url: join(dir, 'e2e.sqlite') }, stop: async () => {} };
  const pg = await postgresUrl();
  return { config: { engine, url: pg.url, poolSize: 5 }, stop: () => pg.stop() };
}

/** The model of `example` after `rewrite` of its spec text, loaded from a copy of the example in `dir`. */
async function rewrittenModel(example: ExampleName, rewrite: (text: string) => string, dir: string): Promise<SystemModel> {
  cpSync(join('examples', example), dir, { recursive: true, filter: (source) => !source.endsWith('.data') });
  const file = join(dir, 'archspec.yaml');
  writeFileSync(file, rewrite(readFileSync(file, 'utf8')));
  const { document, problems } = await loadSpec(file);
  const { model, diagnostics } = document ? analyze(document) : { model: undefined, diagnostics: problems };
  if (!model) throw new Error(`the rewritten ${example} spec is invalid: ${JSON.stringify(diagnostics)}`);
  return model;
}

/** Serves `example` on a fresh `engine` database. */
export async function serve(example: ExampleName, engine: StorageEngineName, options: ServeOptions = {}): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'archspec-e2e-'));
  const model = options.spec ? await rewrittenModel(example, options.spec, dir) : await exampleModel(example);
  const db = options.databaseUrl ? { config: { engine, url: options.databaseUrl }, stop: async () => {} } : await database(engine, dir);
  const fieldCipher = createFieldCipher(parseKeyring(options.fieldKeys ?? FIELD_KEY), model.security.encryption.algorithm as FieldAlgorithm);
  const storage = await createStorage(model, { ...db.config, fieldCipher });
  await storage.migrate();
  let offset = 0;
  const auth = createAuth(model, storage, { jwtSecret: JWT_SECRET, now: () => new Date(Date.now() + offset) });
  const app = await buildServer(model, {
    storage, auth, specDir: options.spec ? dir : join('examples', example), logging: { level: 'silent' },
    // REDIS_URL only when a test asks: a shared Redis would share cache entries between test servers.
    env: { ...process.env, REDIS_URL: undefined, PROCESSOR_WEBHOOK_SECRET: WEBHOOK_SECRET, ...options.env },
    rateLimits: options.rateLimits ?? false, counters: options.counters, trustProxy: options.trustProxy,
    ...(options.events ? { events: options.events } : {}),
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    jobs: options.jobs ?? { schedule: false },
    ...(options.replicaUrls?.length ? { replicas: { sources: replicaSources(model, options.replicaUrls, { fieldCipher }), pollMs: 100, retryMs: 200, maxRetryMs: 1000, ...options.replicaTuning } } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const api = `${base}${model.api.basePath}`;

  const call: Served['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const response = await fetch((options.root ? base : api) + path, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text */ }
    return { status: response.status, headers: response.headers, body: parsed };
  };

  const account: Served['account'] = async (email, options = {}) => {
    const password = 'correct horse battery staple';
    const created = await call('POST', '/users', { body: { email, password, ...(options.fields ?? {}) } });
    if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${JSON.stringify(created.body)}`);
    const id = String(created.body.id);
    if (options.role) await storage.update(model.api.auth.userEntity, id, { role: options.role });
    const login = await call('POST', '/auth/login', { body: { email, password } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    return { id, token: String(login.body.accessToken) };
  };

  return {
    base, app, storage, call, account, databaseUrl: db.config.url,
    advanceClock: (ms) => { offset += ms; },
    close: async () => {
      await app.close();
      await storage.close();
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
