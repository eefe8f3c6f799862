import { performance } from 'node:perf_hooks';
import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { LRUCache } from 'lru-cache';
import { Registry } from 'prom-client';
import { Agent } from 'undici';
import type { Integration, SystemModel } from '../../model/system-model.ts';
import type { HandlerLog, IntegrationClient } from '../handlers/handler-context.ts';
import { checkUrlHost, guardedLookup, systemResolver, type HostResolver } from './address-guard.ts';
import { httpAttempt, type AttemptAnswer } from './http-attempt.ts';
import {
  AddressRefusedError, AttemptError, AttemptTimeoutError, IntegrationUnavailableError, type IntegrationFailureKind,
} from './integration-errors.ts';
import { integrationMetrics, type CallOutcome, type IntegrationMetrics } from './integration-metrics.ts';
import { integrationPolicies, type BreakerState, type IntegrationPolicies } from './resilience-policies.ts';

/**
 * `ctx.integrations.<name>`: JSON over HTTP(S) to one integration of the spec, behind its
 * resilience policies (resilience-policies.ts), the SSRF guard (address-guard.ts) and its
 * fallback: `allow` resolves null, `cached` answers the last good answer of the same GET, anything
 * else throws IntegrationUnavailableError (a 503 service_unavailable in a request).
 */

/** Retry-After of a failed call when the breaker is not open, seconds. */
export const INTEGRATION_RETRY_AFTER_SECONDS = 5;
/** Bounds of the `cached` fallback's store of last good GET answers, per integration. */
const CACHED_ANSWERS = { max: 1_000, maxSize: 8 * 1024 * 1024 };

/** What {@link integrationClients} needs besides the model. */
export interface IntegrationClientOptions {
  log: HandlerLog;
  /** Where `env:NAME` base URLs are read, at call time (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The server's metrics registry (default: a new one, for tests). */
  registry?: Registry;
  /** How host names are resolved before the SSRF check (default `dns.lookup`, every address); a test seam. */
  resolveHost?: HostResolver;
}

/** One integration's circuit breaker as readiness shows it (`none`: the spec declares no breaker). */
export interface BreakerReport {
  integration: string;
  state: BreakerState | 'none';
  fallback: Integration['fallback'];
}

/** The integration clients of one server. */
export interface IntegrationSet {
  /** By integration name: what handlers, consumers and jobs get as `ctx.integrations`. */
  clients: Record<string, IntegrationClient>;
  /** Each integration's breaker state, in spec order. */
  breakers(): BreakerReport[];
  /** Closes the connection pools (on server close). */
  close(): Promise<void>;
}

/**
 * One client per integration of `model`, created once per server: breakers and bulkheads must see
 * every call, and each client keeps its own connection pool pinned to checked addresses.
 *
 * @example
 * const integrations = integrationClients(model, { log: app.log, env: deps.env, registry: metrics.registry });
 * app.addHook('onClose', () => integrations.close());
 * await integrations.clients.geoip!.get('/country/1.2.3.4');
 */
export function integrationClients(model: SystemModel, options: IntegrationClientOptions): IntegrationSet {
  const metrics = integrationMetrics(options.registry ?? new Registry());
  const built = model.requirements.integrations.map((i) => new Client(i, options, metrics));
  return {
    clients: Object.fromEntries(built.map((c) => [c.integration.name, c.api])),
    breakers: () => built.map((c) => ({ integration: c.integration.name, state: c.policies.breaker?.state ?? 'none', fallback: c.integration.fallback })),
    close: async () => { await Promise.all(built.map((c) => c.agent.close())); },
  };
}

class Client {
  readonly policies: IntegrationPolicies;
  readonly agent: Agent;
  readonly api: IntegrationClient;
  private readonly cache: LRUCache<string, string> | undefined;
  /** Configuration problems already logged at error level (later ones go to debug). */
  private readonly reported = new Set<string>();

  constructor(readonly integration: Integration, private readonly options: IntegrationClientOptions, private readonly metrics: IntegrationMetrics) {
    this.policies = integrationPolicies(integration, options.log, metrics);
    // The SSRF check runs inside the connection's DNS lookup, so the socket connects to the checked addresses.
    this.agent = new Agent({ connect: { lookup: guardedLookup(options.resolveHost ?? systemResolver, !integration.allowPrivateNetwork) } });
    this.cache = integration.fallback === 'cached'
      ? new LRUCache({ ...CACHED_ANSWERS, sizeCalculation: (text: string, key: string) => text.length + key.length + 1 })
      : undefined;
    this.api = {
      get: (path, opts = {}) => this.call('GET', path, undefined, opts.headers ?? {}, true),
      post: (path, body, opts = {}) => this.call('POST', path, body, {
        ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}), ...(opts.headers ?? {}),
      }, opts.idempotencyKey !== undefined || integration.idempotent),
    };
  }

  private async call(method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string>, idempotent: boolean): Promise<unknown> {
    const cacheKey = method === 'GET' ? `${path}\n${JSON.stringify(Object.entries(headers).sort())}` : undefined;
    try {
      const url = this.urlOf(path);
      const request = {
        url, method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      };
      const answer = await this.policies.call(idempotent, () => this.observed(() => {
        if (!this.integration.allowPrivateNetwork) checkUrlHost(url);
        return this.policies.attempt((signal) => httpAttempt(this.agent, request, signal, this.policies.timeoutMs));
      }));
      if (cacheKey && this.cache) this.cache.set(cacheKey, answer.text);
      return answer.value;
    } catch (error) {
      return this.fallback(error, method, path, cacheKey);
    }
  }

  /** The URL of `path` under the integration's base URL; throws IntegrationUnavailableError when the url is not set. */
  private urlOf(path: string): URL {
    const { url } = this.integration;
    const base = url.startsWith('env:') ? (this.options.env ?? process.env)[url.slice(4)] || undefined : url;
    let baseUrl: URL | undefined;
    try { baseUrl = base ? new URL(base.endsWith('/') ? base : `${base}/`) : undefined; } catch { baseUrl = undefined; }
    if (!baseUrl || (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:')) {
      throw new IntegrationUnavailableError(this.integration.name, 'not_configured', 'its url is not configured', undefined, {
        // The value itself is not logged: a URL can carry credentials.
        cause: new Error(`${url} is ${base ? 'not an http(s) URL' : 'not set'}`),
      });
    }
    const target = new URL(path.replace(/^\//, ''), baseUrl);
    // A path must stay under the integration's origin: an absolute URL here would sidestep the spec's url.
    if (target.origin !== baseUrl.origin) throw new TypeError(`ctx.integrations.${this.integration.name}: ${path} leaves the integration's origin; pass a path`);
    return target;
  }

  /** Runs one attempt, counting its outcome and timing it. */
  private async observed(run: () => Promise<AttemptAnswer>): Promise<AttemptAnswer> {
    const started = performance.now();
    let outcome: CallOutcome = 'success';
    try {
      return await run();
    } catch (error) {
      outcome = outcomeOf(error);
      throw error;
    } finally {
      this.metrics.count(this.integration.name, outcome);
      if (outcome === 'success' || outcome === 'failure' || outcome === 'timeout') {
        this.metrics.observeDuration(this.integration.name, (performance.now() - started) / 1000);
      }
    }
  }

  /** What the caller gets when every attempt failed: the integration's fallback, or IntegrationUnavailableError. */
  private fallback(error: unknown, method: string, path: string, cacheKey: string | undefined): unknown {
    const { name, fallback } = this.integration;
    const kind = failureKindOf(error);
    if (!kind) throw error; // a bug (e.g. a path leaving the origin), not an integration failure
    if (kind === 'not_configured') this.metrics.count(name, 'failure');
    this.logFailure(error, kind, method, path);
    if (fallback === 'allow') {
      this.metrics.count(name, 'fallback');
      return null;
    }
    const cached = fallback === 'cached' && cacheKey ? this.cache?.get(cacheKey) : undefined;
    if (cached !== undefined) {
      this.metrics.count(name, 'fallback');
      return cached ? JSON.parse(cached) : null;
    }
    if (error instanceof IntegrationUnavailableError) throw error;
    const retryAfter = kind === 'refused' ? undefined : this.policies.breaker?.retryAfterSeconds() ?? INTEGRATION_RETRY_AFTER_SECONDS;
    throw new IntegrationUnavailableError(name, kind, failureText(error, this.integration), retryAfter, { cause: error });
  }

  private logFailure(error: unknown, kind: IntegrationFailureKind, method: string, path: string): void {
    const { log } = this.options;
    const context = { integration: this.integration.name, method, path, reason: kind, fallback: this.integration.fallback ?? 'none' };
    if (kind === 'refused' || kind === 'not_configured') {
      const explanation = error instanceof AddressRefusedError ? error.explanation : String((error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : error);
      const first = !this.reported.has(explanation);
      this.reported.add(explanation);
      (first ? log.error : log.debug).call(log, { ...context, explanation },
        `integration ${this.integration.name} is misconfigured: ${explanation}`);
      return;
    }
    // An open breaker or a full bulkhead fails many calls at once; their transitions are logged instead.
    const level = kind === 'short_circuited' || kind === 'rejected' ? log.debug : log.warn;
    level.call(log, { ...context, failure: failureText(error, this.integration) }, `integration ${this.integration.name} failed`);
  }
}

function outcomeOf(error: unknown): Exclude<CallOutcome, 'success' | 'fallback'> {
  const kind = failureKindOf(error);
  return kind === undefined || kind === 'not_configured' ? 'failure' : kind;
}

function failureKindOf(error: unknown): IntegrationFailureKind | undefined {
  if (error instanceof IntegrationUnavailableError) return error.reason;
  if (error instanceof AddressRefusedError) return 'refused';
  if (error instanceof BrokenCircuitError) return 'short_circuited';
  if (error instanceof BulkheadRejectedError) return 'rejected';
  if (error instanceof AttemptTimeoutError) return 'timeout';
  if (error instanceof AttemptError) return 'failure';
  return undefined;
}

/** A client-safe description of a failure (no hosts, no addresses). */
function failureText(error: unknown, integration: Integration): string {
  if (error instanceof BrokenCircuitError) return 'its circuit breaker is open';
  if (error instanceof BulkheadRejectedError) return `${integration.bulkhead} calls are already in flight`;
  if (error instanceof AttemptError || error instanceof AddressRefusedError || error instanceof IntegrationUnavailableError) {
    return error instanceof IntegrationUnavailableError ? error.failure : error.message;
  }
  return 'it failed';
}
