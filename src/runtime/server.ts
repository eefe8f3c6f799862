import Fastify, { type FastifyInstance } from 'fastify';
import { trace, type Tracer } from '@opentelemetry/api';
import type { SystemModel } from '../model/system-model.ts';
import type { Storage } from '../adapters/storage/storage.ts';
import type { AuthService } from './auth/auth-contract.ts';
import { registerAuthentication } from './authorization.ts';
import type { CounterStore } from '../adapters/counters/counter-store.ts';
import { registerRateLimits } from './rate-limit/register-rate-limits.ts';
import { registerCrud } from './crud/register-crud.ts';
import { loadEndpointHandlers } from './handlers/load-handlers.ts';
import { withCrudEmits } from './events/crud-emits.ts';
import { loadEventConsumers } from './events/event-consumers.ts';
import { Outbox } from './events/outbox.ts';
import { registerEvents, type EventOptions } from './events/register-events.ts';
import type { CacheStore } from '../adapters/cache/cache-store.ts';
import { createCaching } from './cache/caching.ts';
import { registerHandlers, type HandlerServices } from './handlers/register-handlers.ts';
import { registerJobs, type JobsOptions } from './jobs/register-jobs.ts';
import { integrationClients } from './integrations/integration-client.ts';
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
import { registerPrivacyRoutes } from './data/privacy/privacy-routes.ts';
import { audited } from './data/audit/audited-storage.ts';
import { installAuditTriggers } from './data/audit/audit-triggers.ts';
import { registerIdempotency } from './idempotency/register-idempotency.ts';
import type { IdempotencyOptions } from './idempotency/idempotency-store.ts';
import { openApiScopeOf, servedModel, type ComponentServing } from './components/component-plan.ts';
import { subscriptionsOf } from './events/event-consumers.ts';
import { gatewayRoutes } from './gateway/gateway-routes.ts';
import { registerGateway } from './gateway/register-gateway.ts';
import { openReplicaReads, type ReplicaOptions } from './replicas/replica-reads.ts';

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
  /** Trust X-Forwarded-* from proxies in front (for the client IP): Fastify's forms (boolean, hop count, addresses). Default false. */
  trustProxy?: boolean | number | string;
  /** Where `env:NAME` secrets of the spec (signature secrets) and `REDIS_URL` are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The cache store (default: the engine `architecture.storage.cache` names, opened and closed by the server); tests inject failing ones. */
  cache?: CacheStore;
  /** Where rate limits and the login throttle count (default: the store the environment selects: Redis when `REDIS_URL` is set, else memory). */
  counters?: CounterStore;
  /** `false` turns the endpoints' rate limits off (the login throttle stays); test suites that sign up many accounts from one address. Default true. */
  rateLimits?: boolean;
  /** Event relay and delivery: poll interval, retries and backoff; `dispatch: false` leaves events in the outbox for another process. */
  events?: EventOptions;
  /** Scheduled jobs: `schedule: false` keeps the timers off (jobs then run only through `app.archspecJobs.run`); lease and retry tuning. */
  jobs?: JobsOptions;
  // Field encryption needs no dependency here: `storage` arrives with its field cipher (StorageConfig.fieldCipher).
  /** Idempotency-Key handling: how long keys live and when a pending key may be taken over (defaults: 24 h, 60 s). */
  idempotency?: IdempotencyOptions;
  /**
   * `archspec serve --component NAME`: serve only that component's part of the system (its
   * endpoints, consumers and jobs; a gateway forwards the rest). Default: every component (the
   * modular monolith). See components/component-plan.ts.
   */
  component?: ComponentServing;
  /** Read replicas of the PostgreSQL `storage` (DATABASE_REPLICA_URLS): record reads outside transactions may go to them (replicas/replica-reads.ts). */
  replicas?: ReplicaOptions;
}

/**
 * The running system's HTTP server, assembled in request order: request context, id and trace span
 * -> security headers and body limit (CORS stays off) -> metrics -> authentication -> per route:
 * rate limits (429), authorization, signature check (endpoints declaring `signature`), validation,
 * Idempotency-Key replay (idempotent POSTs), response cache (GETs with a TTL), handler (generated
 * CRUD or a custom TypeScript handler) in one transaction with its outbox and audit rows -> cache
 * invalidation -> response with field visibility; every error (and unknown routes: 404, wrong
 * methods: 405) answers problem+json. Background work starts when the server is ready and stops
 * when it closes: the outbox relay and event consumers, the job scheduler. Custom handler, event
 * consumer and job modules and signature secrets are loaded here, so a missing or broken module
 * (HandlerLoadError) or an unset secret (ConfigError) fails start-up by name. The caller listens
 * and, on shutdown, closes the app before the storage.
 *
 * @example
 * const app = await buildServer(model, { storage, auth, specDir: dirname(specFile) });
 * await app.listen({ port: 3000 });
 */
export async function buildServer(model: SystemModel, deps: ServerDeps): Promise<FastifyInstance> {
  const plan = deps.component?.plan;
  // What this process serves: the whole model, or one component's endpoints (the rest of the model stays whole).
  const served = plan ? servedModel(model, plan) : model;
  const signatureSecrets = signatureSecretsOf(served, deps.specDir, deps.env ?? process.env);
  const handlers = await loadEndpointHandlers(served, deps.specDir);
  const consumers = await loadEventConsumers(model, deps.specDir, plan?.component.name);
  const app = Fastify({
    bodyLimit: model.api.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(deps.trustProxy ?? false),
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
  // Read replicas under everything: the base storage sends record reads to them, with read-your-writes per user.
  const replicated = deps.replicas?.sources.length ? await openReplicaReads(model, deps.storage, deps.replicas, { env: deps.env ?? process.env, registry: metrics.registry, log: app.log }) : undefined;
  if (replicated) {
    // Replica pools open when the server is ready (the first poll runs before it listens), so a failed build leaves none open.
    app.addHook('onReady', () => replicated.start());
    app.addHook('onClose', () => replicated.closeReplicas());
  }
  const observed = traceStorage(instrumentStorage(replicated ?? deps.storage, metrics.registry), tracer);
  if (deps.storage.poolStats()) metrics.observePool(() => deps.storage.poolStats() ?? { total: 0, idle: 0, waiting: 0 });
  // Data policies wrap the observed storage (their own writes are timed and traced too); cache
  // invalidation wraps them, so it sees every committed write whoever makes it (the generated
  // endpoints' emits wrap it in turn: they only add outbox rows to those writes' transactions).
  let storage: Storage = observed;
  // Field encryption is below this point, in the storage itself (StorageConfig.fieldCipher): every writer and
  // reader, auth and CLI commands included, sees plaintext while the database holds ciphertext.
  // Audit rows and the immutable guard apply to every write made through `storage` from here on.
  storage = audited(storage, model);
  if (model.requirements.data.some((r) => r.rule === 'audit')) {
    const triggers = await installAuditTriggers(storage);
    if (!triggers.ok) app.log.warn(triggers.reason);
  }
  // Records and GET answers cached by the spec's TTLs; every committed write through `storage` invalidates them.
  const caching = await createCaching(model, { store: deps.cache, registry: metrics.registry, log: app.log, env: deps.env });
  app.addHook('onClose', () => caching.close());
  storage = caching.wrapStorage(storage);
  // Generated writes of endpoints declaring `emits` write their outbox rows in the same transaction.
  const outbox = new Outbox(model);
  storage = withCrudEmits(storage, model, outbox);
  registerAuthentication(app, deps.auth);
  const authServices = await registerRateLimits(app, served, { registry: metrics.registry, counters: deps.counters, enabled: deps.rateLimits, env: deps.env });
  registerSignatureChecks(app, served, signatureSecrets);
  if (!plan || plan.authRoutes) deps.auth.registerRoutes(app, authServices);
  // Idempotent POSTs' write transactions fence their Idempotency-Key (a key's writes commit once).
  storage = registerIdempotency(app, model, storage, { ...deps.idempotency, registry: metrics.registry });
  caching.registerResponseCache(app);
  registerCrud(app, model, { storage, auth: deps.auth, ...(plan ? { only: served.api.endpoints } : {}) });
  // Integration clients (breakers, bulkheads, pinned connection pools) live as long as the server.
  const integrationSet = integrationClients(model, { log: app.log, env: deps.env ?? process.env, registry: metrics.registry });
  app.addHook('onClose', () => integrationSet.close());
  const integrations = integrationSet.clients;
  let draining = false;
  app.addHook('preClose', async () => { draining = true; });
  registerHealth(app, { ping: () => storage.ping(), isMigrated: () => storage.isMigrated() }, {
    draining: () => draining, integrations: () => integrationSet.breakers(),
    ...(replicated ? { replicas: () => ({ usable: replicated.usable(), total: replicated.size }) } : {}),
  });
  if (!plan || plan.openApi) registerOpenApi(app, plan?.forwards.length ? model : served, plan ? openApiScopeOf(plan) : {});
  // One set of services for custom handlers, event consumers and jobs (same storage, emitter, breakers).
  const handlerServices: HandlerServices = {
    model, storage, handlers, tracer, integrations,
    emitter: outbox.emitter,
    afterCommit: outbox.afterCommit,
    cache: caching.handlerCache,
  };
  registerHandlers(app, model, handlerServices);
  await registerEvents(app, { outbox, services: handlerServices, consumers, subscriptions: subscriptionsOf(model), registry: metrics.registry, ...(deps.events ? { options: deps.events } : {}), ...(deps.env ? { env: deps.env } : {}) });
  await registerJobs(app, model, { services: handlerServices, specDir: deps.specDir, registry: metrics.registry, ...(deps.jobs ? { options: deps.jobs } : {}), ...(plan ? { only: plan.jobs } : {}) });
  // Personal-data export and erasure of the spec's `erasable` subject (GDPR Art. 15, 17, 20), through the wrapped storage (audited).
  if (!plan || plan.privacyRoutes) registerPrivacyRoutes(app, model, { storage });
  // A gateway forwards what the services serve, last: its own routes (health, docs, unowned endpoints) come first.
  if (plan?.forwards.length) {
    await registerGateway(app, model, gatewayRoutes(model, plan.forwards), { upstreams: deps.component?.upstreams ?? new Map(), registry: metrics.registry, tracer, ...(deps.component?.upstreamTimeoutMs ? { timeoutMs: deps.component.upstreamTimeoutMs } : {}) });
  }
  return app;
}

/**
 * The trustProxy option Fastify is given. A hop count N becomes "trust the N nearest hops" as a
 * function: Fastify 5.12 passes a number through as is and then trusts no hop at all (so
 * `TRUST_PROXY=1` would silently use the load balancer's address as every client's).
 */
export function fastifyTrustProxy(setting: boolean | number | string): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}
