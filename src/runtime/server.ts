import Fastify, { type FastifyInstance } from 'fastify';
import { trace, type Tracer } from '@opentelemetry/api';
import type { SystemModel } from '../model/system-model.ts';
import type { Storage } from '../adapters/storage/storage.ts';
import type { AuthService } from './auth/auth-contract.ts';
import { registerAuthentication } from './authorization.ts';
import { registerCrud } from './crud/register-crud.ts';
import { EventLog } from './handlers/event-log.ts';
import { loadEndpointHandlers } from './handlers/load-handlers.ts';
import { MemoryCache } from './handlers/memory-cache.ts';
import { registerHandlers } from './handlers/register-handlers.ts';
import { integrationClients } from './handlers/integration-client.ts';
import { instrumentStorage, registerMetrics } from './observability/metrics.ts';
import { registerTracing, traceStorage, TRACER_NAME } from './observability/tracing.ts';
import { problemErrorHandler } from './problem-response.ts';
import { registerIntake } from './request-intake.ts';
import { registerSignatureChecks, signatureSecretsOf } from './request-signature.ts';
import { loggerOptionsForFastify, registerRequestId, type LoggerOptions } from './observability/logging.ts';
import { RouteTable } from './route-table.ts';
import { registerRequestContext } from './request-context.ts';
import { registerHealth } from './health.ts';
import { registerOpenApi } from './openapi/register-openapi.ts';
import { validatorCompiler } from './validation.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Events emitted by custom handlers whose transactions committed (see HandlerContext.emit). */
    archspecEvents: EventLog;
  }
}

/** What {@link buildServer} needs besides the model. */
export interface ServerDeps {
  storage: Storage;
  auth: AuthService;
  /** Directory of the spec file: custom handler paths are relative to it. */
  specDir: string;
  /** Log level and destination (default: info to standard output); `{ level: 'silent' }` in tests. */
  logging?: LoggerOptions;
  /** Tracer from `startTracing` (default: the global tracer, a no-op unless a provider is registered). */
  tracer?: Tracer;
  /** Trust X-Forwarded-* from a proxy in front (for the client IP). Default false. */
  trustProxy?: boolean;
  /** Where `env:NAME` secrets of the spec (signature secrets) are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  // [deps:cache]
  // [deps:rate-limits]
  // [deps:integrations]
  // [deps:events]
  // [deps:jobs]
  // [deps:encryption]
  // [deps:audit]
}

/** Default size of the handlers' in-process cache when the spec names none. */
const DEFAULT_CACHE_ENTRIES = 10_000;

/**
 * The running system's HTTP server, assembled in request order: request id and trace span -> security headers and
 * body limit (CORS stays off) -> metrics -> authentication -> per route: authorization, signature
 * check (endpoints declaring `signature`), validation, handler (generated CRUD or a custom TypeScript
 * handler) -> response with field visibility; every error (and unknown routes: 404, wrong methods:
 * 405) answers problem+json. Custom handler modules and signature secrets are loaded here, so a
 * missing or broken module (HandlerLoadError) or an unset secret (ConfigError) fails start-up by name.
 * The caller listens and, on shutdown, closes the app before the storage.
 *
 * @example
 * const app = await buildServer(model, { storage, auth, specDir: dirname(specFile) });
 * await app.listen({ port: 3000 });
 */
export async function buildServer(model: SystemModel, deps: ServerDeps): Promise<FastifyInstance> {
  const signatureSecrets = signatureSecretsOf(model, deps.specDir, deps.env ?? process.env);
  const handlers = await loadEndpointHandlers(model, deps.specDir);
  const app = Fastify({
    bodyLimit: model.api.bodyLimitBytes,
    trustProxy: deps.trustProxy ?? false,
    ...loggerOptionsForFastify(model, deps.logging ?? {}),
  }) as unknown as FastifyInstance;
  const routes = new RouteTable();
  routes.track(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler(routes.notFoundHandler());

  const tracer = deps.tracer ?? trace.getTracer(TRACER_NAME);
  registerRequestContext(app);
  registerRequestId(app);
  registerTracing(app, tracer);
  await registerIntake(app);
  const metrics = registerMetrics(app, model);
  const observed = traceStorage(instrumentStorage(deps.storage, metrics.registry), tracer);
  if (deps.storage.poolStats()) metrics.observePool(() => deps.storage.poolStats() ?? { total: 0, idle: 0, waiting: 0 });
  // Data policies wrap the observed storage (their own writes are timed and traced too); cache
  // invalidation wraps them all, so it sees every committed write whoever makes it.
  let storage: Storage = observed;
  // [anchor:encryption]
  // [anchor:audit]
  // [anchor:cache-invalidation]
  registerAuthentication(app, deps.auth);
  // [anchor:rate-limits]
  registerSignatureChecks(app, model, signatureSecrets);
  deps.auth.registerRoutes(app);
  // [anchor:idempotency]
  // [anchor:response-cache]
  registerCrud(app, model, { storage, auth: deps.auth });
  let draining = false;
  app.addHook('preClose', async () => { draining = true; });
  registerHealth(app, { ping: () => storage.ping(), isMigrated: () => storage.isMigrated() }, { draining: () => draining });
  registerOpenApi(app, model);
  const events = new EventLog(model);
  app.decorate('archspecEvents', events);
  const integrations = integrationClients(model, app.log);
  registerHandlers(app, model, {
    model, storage, handlers, events, tracer, integrations,
    // Interim until the outbox lands (issue 4, events): consumers and jobs record events without a transaction.
    emitter: (_tx, meta) => {
      const staged = events.stage(meta.requestId ?? '', app.log);
      return async (name, payload) => { await staged.emit(name, payload); staged.commit(); };
    },
    afterCommit: () => {},
    cache: new MemoryCache(model.architecture.storage.cache?.maxEntries ?? DEFAULT_CACHE_ENTRIES),
  });
  // [anchor:events]
  // [anchor:jobs]
  // [anchor:privacy]
  return app;
}
