import { dirname, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Storage } from '../adapters/storage/storage.ts';
import type { SystemModel } from '../model/system-model.ts';
import { AuthConfigError, createAuth } from '../runtime/auth/create-auth.ts';
import { ConfigError, resolveServeConfig, type ServeConfig, type ServeFlags } from '../runtime/config.ts';
import { HandlerLoadError } from '../runtime/handlers/load-handlers.ts';
import { checkStoredFieldKeys } from '../runtime/field-keys.ts';
import { buildServer } from '../runtime/server.ts';
import { startTracing, type Tracing } from '../runtime/observability/tracing.ts';
import { loadModel, printDiagnostics } from './load-model.ts';
import { describeDatabase, migrateStorage, openStorage, printRefusal } from './open-storage.ts';
import { CliError } from './run-command.ts';

/** Options of `archspec serve`. */
export interface ServeOptions extends ServeFlags {
  allowDestructive?: boolean;
}

/**
 * `archspec serve <spec>`: loads the spec (errors printed like `check`, exit 1), opens and migrates
 * the database (refused destructive changes: exit 1), builds the server, listens and prints a
 * banner with the URLs. Resolves with 0 after SIGTERM/SIGINT once in-flight requests are drained
 * and the database is closed. Operational problems (port in use, database unreachable, missing
 * secret, broken handler) are thrown as one-line CliErrors (exit 2).
 */
export async function serveCommand(specFile: string, options: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { model, diagnostics } = await loadModel(specFile);
  printDiagnostics(diagnostics.filter((d) => d.severity === 'error'), 'text');
  if (!model) return 1;
  // Configuration before the database: a missing secret or key is one line, and the storage needs the field cipher.
  const config = configOf(model, specFile, options, env, !env.DATABASE_URL?.trim());
  const { storage, config: storageConfig } = await openStorage(model, specFile, env, { fieldCipher: config.fieldCipher });
  let app: FastifyInstance | undefined;
  let tracing: Tracing | undefined;
  try {
    for (const warning of config.warnings) process.stderr.write(`warning: ${warning}\n`);
    const report = await migrateStorage(storage, storageConfig, options.allowDestructive === true);
    if (report.refused) {
      printRefusal(report, specFile);
      await storage.close();
      return 1;
    }
    if (config.fieldCipher) {
      const stored = await checkStoredFieldKeys(storage, model, config.fieldCipher, dirname(resolve(specFile)), specFile).catch((e: unknown) => {
        throw e instanceof ConfigError ? new CliError(e.message, e.hint) : e;
      });
      for (const warning of stored) process.stderr.write(`warning: ${warning}\n`);
    }
    tracing = await startTracing(model, env);
    app = await build(model, storage, config, specFile, env, tracing);
    await listen(app, config);
  } catch (e) {
    await app?.close();
    await tracing?.shutdown();
    await storage.close();
    throw e;
  }
  const port = (app.server.address() as AddressInfo).port;
  // Handlers first, banner second: a supervisor may send SIGTERM as soon as it sees the banner.
  const stopped = waitForShutdown(app, async () => {
    await storage.close();
    await tracing.shutdown();
  });
  printBanner(model, bannerHost(app), port, [describeDatabase(storageConfig), tracing.description]);
  return stopped;
}

function configOf(model: SystemModel, specFile: string, options: ServeOptions, env: NodeJS.ProcessEnv, embedded: boolean): ServeConfig {
  try {
    return resolveServeConfig(model, specFile, options, env, embedded);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, e.hint);
    throw e;
  }
}

async function build(model: SystemModel, storage: Storage, config: ServeConfig, specFile: string, env: NodeJS.ProcessEnv, tracing: Tracing): Promise<FastifyInstance> {
  try {
    const auth = createAuth(model, storage, { jwtSecret: config.jwtSecret ?? '' });
    return await buildServer(model, { storage, auth, specDir: dirname(resolve(specFile)), tracer: tracing.tracer, trustProxy: config.trustProxy, logging: { level: env.LOG_LEVEL ?? 'info' }, ...eventsOf(env) });
  } catch (e) {
    if (e instanceof AuthConfigError) throw new CliError(e.message, 'set ARCHSPEC_JWT_SECRET to at least 32 random bytes');
    if (e instanceof HandlerLoadError) throw new CliError(e.message, `fix or create ${e.file} (paths are relative to the spec)`);
    if ((e as { code?: string }).code === 'event_transport_unavailable') throw new CliError((e as Error).message, 'start NATS with JetStream (nats-server -js), fix NATS_URL, or unset it to deliver events through the database');
    throw e;
  }
}

/** `ARCHSPEC_EVENTS_DISPATCH=off`: this process writes emitted events to the outbox but relays and delivers none (another process does). */
function eventsOf(env: NodeJS.ProcessEnv): { events?: { dispatch: false } } {
  const value = env.ARCHSPEC_EVENTS_DISPATCH?.trim().toLowerCase();
  if (!value || value === 'on') return {};
  if (value === 'off') return { events: { dispatch: false } };
  throw new CliError(`ARCHSPEC_EVENTS_DISPATCH=${env.ARCHSPEC_EVENTS_DISPATCH} is neither on nor off`, 'unset it, or set it to off to leave event delivery to another process');
}

async function listen(app: FastifyInstance, config: ServeConfig): Promise<void> {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${config.port} is in use; pass --port or set PORT`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot listen on ${config.host}: no such local address; pass --host or set HOST`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on port ${config.port}; use a port above 1023`);
    throw e;
  }
}

function bannerHost(app: FastifyInstance): { host: string } {
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { host: host === '0.0.0.0' || host === '[::]' ? 'localhost' : host };
}

function printBanner(model: SystemModel, where: { host: string }, port: number, notes: string[]): void {
  const origin = `http://${where.host}:${port}`;
  const lines = [
    `${model.system.name} is running (port ${port}, ${notes.join('; ')})`,
    `  API          ${origin}${model.api.basePath || '/'}`,
    `  docs         ${origin}/docs`,
    `  OpenAPI      ${origin}/openapi.json`,
    `  metrics      ${origin}/metrics`,
    `  health       ${origin}/healthz  ${origin}/readyz`,
    'Press Ctrl+C to stop.',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** Resolves with 0 after the first SIGTERM/SIGINT has drained the server and run `release` (storage, tracing); a second signal exits at once. */
function waitForShutdown(app: FastifyInstance, release: () => Promise<void>): Promise<number> {
  return new Promise((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(1);
      stopping = true;
      process.stderr.write(`${signal} received: finishing requests in flight, then stopping.\n`);
      void app.close().then(release).then(
        () => resolveExit(0),
        (e: unknown) => {
          process.stderr.write(`archspec: error while stopping: ${(e as Error).message}\n`);
          resolveExit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
