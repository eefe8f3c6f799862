import cluster from 'node:cluster';
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
import { startTracing, tracingConfig, type Tracing, type TracingConfig } from '../runtime/observability/tracing.ts';
import { loadModel, printDiagnostics } from './load-model.ts';
import { describeDatabase, migrateStorage, openStorage, printRefusal, replicaSources } from './open-storage.ts';
import { CliError } from './run-command.ts';
import { parseDuration } from '../spec/units.ts';
import { instanceOf, parseInstances, reportReady, stopInstanceOnRequest, superviseInstances, type InstanceIdentity } from './serve-instances.ts';
import { componentBanner, componentServing, selectComponent } from './serve-component.ts';
import type { ComponentServing } from '../runtime/components/component-plan.ts';

/** Options of `archspec serve`. */
export interface ServeOptions extends ServeFlags {
  allowDestructive?: boolean;
  /** `--instances`: worker processes sharing the port (default 1: this process serves). */
  instances?: string;
  /** `--component`: serve only this component of the spec (default: all of them in one process). */
  component?: string;
}

/**
 * `archspec serve <spec>`: loads the spec (errors printed like `check`, exit 1), opens and migrates
 * the database (refused destructive changes: exit 1), builds the server, listens and prints a
 * banner with the URLs. Resolves with 0 after SIGTERM/SIGINT once in-flight requests are drained
 * and the database is closed. Operational problems (port in use, database unreachable, missing
 * secret, broken handler) are thrown as one-line CliErrors (exit 2).
 *
 * With `--instances N` (N > 1) this process becomes a supervisor (see serve-instances.ts): it
 * checks the configuration and migrates once, then runs N workers on the same port and prints
 * one banner. A worker (this same command, re-run by node:cluster) skips the migration, the
 * warnings and the banner, and tags its log lines with `instance`.
 */
export async function serveCommand(specFile: string, options: ServeOptions, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const instance = instanceOf(env);
  if (!instance) return serveProcess(specFile, options, env);
  // A running worker never returns (it exits once drained); one that failed to start must let go of
  // the channel to the supervisor, which would keep it alive, so the supervisor sees its exit code.
  try {
    return await serveProcess(specFile, options, env, instance);
  } finally {
    // cluster.worker.disconnect(), not process.disconnect(): node:cluster exits 0 at once on an unannounced disconnect.
    if (process.connected) cluster.worker?.disconnect();
  }
}

async function serveProcess(specFile: string, options: ServeOptions, env: NodeJS.ProcessEnv, instance?: InstanceIdentity): Promise<number> {
  const instances = instance ? 1 : instancesOf(options);
  const { model, diagnostics } = await loadModel(specFile);
  if (!instance) printDiagnostics(diagnostics.filter((d) => d.severity === 'error'), 'text');
  if (!model) return 1;
  const selected = selectComponent(model, options.component);
  // Configuration before the database: a missing secret or key is one line, and the storage needs the field cipher.
  const config = configOf(selected?.served ?? model, specFile, options, env, !env.DATABASE_URL?.trim());
  if (instance?.port !== undefined) config.port = instance.port;
  const serving = selected && componentServing(selected, config, env);
  const { storage, config: storageConfig } = await openStorage(model, specFile, env, { fieldCipher: config.fieldCipher });
  let app: FastifyInstance | undefined;
  let tracing: Tracing | undefined;
  try {
    if (instance) return await serveInstance(instance, model, storage, config, specFile, env, serving);
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
    if (instances > 1) {
      // The supervisor serves nothing: its connection would only hold a SQLite file open or a pool slot.
      await storage.close();
      if (!env.REDIS_URL?.trim()) process.stderr.write(`warning: ${PER_INSTANCE_WARNING}\n`);
      if (!env.REDIS_URL?.trim() && config.replicaUrls?.length) process.stderr.write(`warning: ${PER_INSTANCE_REPLICAS_WARNING}\n`);
      const tracingNote = describeTracing(tracingConfig(model, env));
      return await superviseInstances({
        instances,
        port: config.port,
        banner: (port, pids) => printBanner(model, { host: bannerHostOf(config.host) }, port, [`${instances} instances`, describeDatabase(storageConfig, config.replicaUrls?.length), tracingNote], pids, serving && componentBanner(serving, env)),
      });
    }
    tracing = await startTracing(model, env);
    app = await build(model, storage, config, specFile, env, tracing, undefined, serving);
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
  printBanner(model, bannerHost(app), port, [describeDatabase(storageConfig, config.replicaUrls?.length), tracing.description], undefined, serving && componentBanner(serving, env));
  return stopped;
}

/** The banner's tracing note for a supervisor, which starts no tracing itself (each worker does). */
function describeTracing(config: TracingConfig): string {
  if (config.exporter === 'none') return `tracing off (${config.reason})`;
  return `tracing to ${config.exporter === 'otlp' ? `OTLP/HTTP ${config.url}` : 'standard output'}, sampling ${Number((config.sampling * 100).toPrecision(4))}% of new traces`;
}

/** Printed by a supervisor with read replicas and without REDIS_URL. */
const PER_INSTANCE_REPLICAS_WARNING = 'DATABASE_REPLICA_URLS without REDIS_URL: each instance knows only its own users\' recent writes, so a read that reaches another instance may be served by a replica that has not replayed the write yet; set REDIS_URL to share them';

/** Printed by a supervisor without REDIS_URL. */
const PER_INSTANCE_WARNING = 'REDIS_URL is not set: each instance has its own cache and rate-limit counters (a write invalidates only the cache of the instance that made it; each instance admits the full limit); set REDIS_URL to share them';

function instancesOf(options: ServeOptions): number {
  try {
    return parseInstances(options.instances);
  } catch (e) {
    throw new CliError((e as Error).message, 'pass --instances 2 (or leave it out for one process)');
  }
}

/** A worker of `--instances`: builds and listens like a single process, but without migration, warnings or banner. */
async function serveInstance(instance: InstanceIdentity, model: SystemModel, storage: Storage, config: ServeConfig, specFile: string, env: NodeJS.ProcessEnv, serving?: ComponentServing): Promise<number> {
  const tracing = await startTracing(model, env);
  let app: FastifyInstance | undefined;
  try {
    app = await build(model, storage, config, specFile, env, tracing, instance.slot, serving);
    await listen(app, config);
  } catch (e) {
    await app?.close();
    await tracing.shutdown();
    throw e;
  }
  const server = app;
  stopInstanceOnRequest(async () => {
    await server.close();
    await storage.close();
    await tracing.shutdown();
    return 0;
  });
  reportReady((server.server.address() as AddressInfo).port);
  // Never resolves: the worker exits from stopInstanceOnRequest once it has drained.
  return new Promise<number>(() => {});
}

function configOf(model: SystemModel, specFile: string, options: ServeOptions, env: NodeJS.ProcessEnv, embedded: boolean): ServeConfig {
  try {
    return resolveServeConfig(model, specFile, options, env, embedded);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, e.hint);
    throw e;
  }
}

async function build(model: SystemModel, storage: Storage, config: ServeConfig, specFile: string, env: NodeJS.ProcessEnv, tracing: Tracing, instance?: number, component?: ComponentServing): Promise<FastifyInstance> {
  try {
    // Authentication reads the primary: a revoked key or a changed role must count at once, and login follows sign-up.
    const auth = createAuth(model, storage, { jwtSecret: config.jwtSecret ?? '' });
    const replicas = config.replicaUrls?.length ? { replicas: { sources: replicaSources(model, config.replicaUrls, { fieldCipher: config.fieldCipher }) } } : {};
    return await buildServer(model, { storage, auth, specDir: dirname(resolve(specFile)), tracer: tracing.tracer, trustProxy: config.trustProxy, logging: { level: env.LOG_LEVEL ?? 'info', ...(instance !== undefined ? { worker: instance } : {}), ...(component ? { component: component.plan.component.name } : {}) }, ...eventsOf(env), ...idempotencyOf(env), ...replicas, ...(component ? { component } : {}) });
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

/**
 * `ARCHSPEC_IDEMPOTENCY_TAKEOVER` (a duration such as `10s`, default 60s): how long an Idempotency-Key
 * request may stay pending before a repeat takes the key over. Taking over is safe at any value (the
 * writes of one key commit once); a short time lets a client recover sooner from a crashed instance,
 * at the cost of re-running handlers whose calls outside the database are not idempotent.
 */
function idempotencyOf(env: NodeJS.ProcessEnv): { idempotency?: { takeoverMs: number } } {
  const text = env.ARCHSPEC_IDEMPOTENCY_TAKEOVER?.trim();
  if (!text) return {};
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms) || ms <= 0) throw new CliError(`ARCHSPEC_IDEMPOTENCY_TAKEOVER=${text} is not a duration`, 'write it like 10s or 2m, or unset it for the default of 60s');
  return { idempotency: { takeoverMs: ms } };
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

/** The banner host from the configured address (a supervisor has no socket of its own to ask). */
function bannerHostOf(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** `component`: with `--component`, what it serves (componentBanner); a component without an API (a worker) lists no API or docs. */
function printBanner(model: SystemModel, where: { host: string }, port: number, notes: string[], pids?: number[], component?: { lines: string[]; api: boolean }): void {
  const origin = `http://${where.host}:${port}`;
  const lines = [
    `${model.system.name} is running (port ${port}, ${notes.join('; ')})`,
    ...(component?.api === false ? [] : [
      `  API          ${origin}${model.api.basePath || '/'}`,
      `  docs         ${origin}/docs`,
      `  OpenAPI      ${origin}/openapi.json`,
    ]),
    `  metrics      ${origin}/metrics`,
    `  health       ${origin}/healthz  ${origin}/readyz`,
    ...(pids ? [`  instances    ${pids.length} (pids ${pids.join(', ')})`] : []),
    ...(component?.lines ?? []),
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
