import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Endpoint, SystemModel } from '../../model/system-model.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import { scopeOf } from '../authorization.ts';
import { callerDimension, entityTag, responseKey } from './cache-keys.ts';
import type { CacheMetrics } from './cache-metrics.ts';
import type { CachePolicy } from './cache-policy.ts';
import type { GuardedCache } from './guarded-cache.ts';
import { followRequest, requestedFreshness, type RequestActivity } from './request-activity.ts';
import { SingleFlight } from './single-flight.ts';

/** What {@link registerResponseCache} works with. */
export interface ResponseCacheDeps {
  model: SystemModel;
  policy: CachePolicy;
  cache: GuardedCache;
  metrics: CacheMetrics;
}

/** A stored answer: the entity tags it depends on with their versions then, when, and the answer itself. */
interface ResponseEntry {
  tags: string[];
  versions: string[];
  at: number;
  contentType?: string;
  etag?: string;
  body: string;
}

/** What the hooks of one request share. */
interface Lookup {
  endpoint: Endpoint;
  key: string;
  ttlMs: number;
  startedAt: number;
  /** The versions of every entity tag (in model order) when the lookup started; undefined when the store failed. */
  versions?: string[];
  store: boolean;
  served: boolean;
  activity?: RequestActivity;
  flight?: { settle(entry: ResponseEntry | undefined): void };
}

type Hook<F> = F | F[] | undefined;
const list = <F>(hook: Hook<F>): F[] => (hook === undefined ? [] : Array.isArray(hook) ? hook : [hook]);

/**
 * Caches the answers of GET endpoints with a TTL and no `emits` (see CachePolicy), as route hooks
 * added to each such route when it is registered (call before registering routes):
 *
 * - `preHandler` (after authentication, authorization and validation, so a caller who may not call
 *   the endpoint is refused before any lookup): builds the key (method, path, canonical query and the
 *   caller dimension of `callerDimension`), answers a valid entry with `X-Cache: hit` and `Age`,
 *   waits for an identical request already computing the answer, or lets the handler run
 *   (`X-Cache: miss`). `Cache-Control: no-cache` skips the lookup; `no-store` also skips storing.
 * - `onSend`: stores a 200 answer (status, body, content type, ETag) for the endpoint's TTL, tagged
 *   with the endpoint's entity, the entities `expand` named and every entity the request read, with
 *   the versions they had when the lookup started (a write committed since makes it invalid at once).
 *   Answers of requests that wrote, that set cookies or that are not text are not stored.
 *
 * @example
 * registerResponseCache(app, { model, policy, cache, metrics });
 * registerCrud(app, model, deps);
 */
export function registerResponseCache(app: FastifyInstance, deps: ResponseCacheDeps): void {
  const { model, policy, cache, metrics } = deps;
  const endpoints = new Map(model.api.endpoints.map((e) => [e.key, e]));
  const allTags = model.entities.map((e) => entityTag(e.name));
  const tagIndex = new Map(allTags.map((tag, i) => [tag, i]));
  const flights = new SingleFlight<ResponseEntry | undefined>();
  const lookups = new WeakMap<FastifyRequest, Lookup>();

  const lookup = async (request: FastifyRequest, reply: FastifyReply, endpoint: Endpoint, ttlMs: number) => {
    if (request.method !== 'GET') return;
    const freshness = requestedFreshness(request);
    const [path, query = ''] = splitUrl(request.url);
    const caller = callerDimension(model, endpoint, { caller: request.caller, scope: scopeOf(request), expand: expandOf(request) });
    const key = responseKey({ method: request.method, path, query, caller });
    const startedAt = cache.clock();
    const [stored, versions] = await Promise.all([freshness.noCache ? undefined : cache.get(key), cache.versions(allTags)]);
    const state: Lookup = { endpoint, key, ttlMs, startedAt, versions, store: !freshness.noStore && versions !== undefined, served: false };
    lookups.set(request, state);
    const trusted = versions !== undefined && cache.trusts(startedAt);
    if (stored !== undefined && trusted) {
      const entry = parseEntry(stored);
      if (entry && isCurrent(entry, versions, tagIndex) && cache.clock() - entry.at <= ttlMs) return serve(reply, state, entry);
    }
    if (trusted && !freshness.noCache) {
      const flightKey = `${key}|${versions.join(',')}`;
      const joined = flights.join(flightKey);
      if (joined) {
        const entry = await joined.catch(() => undefined);
        if (entry) return serve(reply, state, entry);
      } else {
        state.flight = flights.lead(flightKey, undefined);
      }
    }
    metrics.lookup('response', 'miss');
    state.activity = followRequest(request);
    void reply.header('x-cache', 'miss');
  };

  const serve = (reply: FastifyReply, state: Lookup, entry: ResponseEntry) => {
    state.served = true;
    metrics.lookup('response', 'hit');
    void reply.code(200).header('x-cache', 'hit').header('age', String(Math.max(0, Math.floor((cache.clock() - entry.at) / 1000))));
    if (entry.contentType) void reply.header('content-type', entry.contentType);
    if (entry.etag) void reply.header('etag', entry.etag);
    return reply.send(entry.body);
  };

  const store = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const state = lookups.get(request);
    if (!state || state.served) return payload;
    let entry: ResponseEntry | undefined;
    if (storable(state, reply, payload) && cache.trusts(state.startedAt)) {
      const tags = [...new Set([...staticTags(model, state.endpoint, request), ...[...state.activity!.reads].map(entityTag)])].filter((t) => tagIndex.has(t));
      const contentType = reply.getHeader('content-type');
      const etag = reply.getHeader('etag');
      entry = {
        tags, versions: tags.map((t) => state.versions![tagIndex.get(t)!]!), at: cache.clock(), body: String(payload),
        ...(contentType !== undefined ? { contentType: String(contentType) } : {}),
        ...(etag !== undefined ? { etag: String(etag) } : {}),
      };
      // Not awaited: the answer need not wait for the store (the memory engine has stored it already).
      void cache.set(state.key, JSON.stringify(entry), state.ttlMs);
    }
    state.flight?.settle(entry);
    return payload;
  };

  const finish = async (request: FastifyRequest) => {
    lookups.get(request)?.flight?.settle(undefined);
    lookups.delete(request);
  };

  app.addHook('onRoute', (route: RouteOptions) => {
    const key = route.config?.endpoint;
    const methods = list(route.method as Hook<string>);
    if (!key || !methods.includes('GET')) return;
    const ttlMs = policy.responseTtl(key);
    const endpoint = endpoints.get(key);
    if (ttlMs === undefined || !endpoint) return;
    route.preHandler = [...list(route.preHandler), (request, reply) => lookup(request, reply, endpoint, ttlMs)];
    route.onSend = [...list(route.onSend), store];
    route.onResponse = [...list(route.onResponse), finish];
    route.onRequestAbort = [...list(route.onRequestAbort), finish];
  });
}

/** Whether this answer may be stored: a 200 text body, from a request that wrote nothing, set no cookie, and allowed storing. */
function storable(state: Lookup, reply: FastifyReply, payload: unknown): boolean {
  return state.store && state.activity !== undefined && !state.activity.wrote && reply.statusCode === 200
    && (typeof payload === 'string' || Buffer.isBuffer(payload)) && reply.getHeader('set-cookie') === undefined;
}

/** Tags known without watching the request: the endpoint's entity and the entities `expand` names. */
function staticTags(model: SystemModel, endpoint: Endpoint, request: FastifyRequest): string[] {
  if (!endpoint.entity) return [];
  const entity = entityOf(model, endpoint.entity);
  const expanded = expandOf(request).map((name) => entity.fields.find((f) => f.name === name)?.ref?.entity).filter((e): e is string => e !== undefined);
  return [endpoint.entity, ...expanded].map(entityTag);
}

/** The reference fields the request's `expand` names. */
function expandOf(request: FastifyRequest): string[] {
  const value = (request.query as Record<string, unknown> | undefined)?.expand;
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

function splitUrl(url: string): [string, string?] {
  const at = url.indexOf('?');
  return at < 0 ? [url] : [url.slice(0, at), url.slice(at + 1)];
}

/** Whether every tag of `entry` still has the version it was stored under. */
function isCurrent(entry: ResponseEntry, versions: readonly string[], tagIndex: ReadonlyMap<string, number>): boolean {
  return entry.tags.every((tag, i) => {
    const at = tagIndex.get(tag);
    return at !== undefined && versions[at] === entry.versions[i];
  });
}

function parseEntry(text: string): ResponseEntry | undefined {
  try {
    const entry = JSON.parse(text) as ResponseEntry;
    return Array.isArray(entry?.tags) && Array.isArray(entry.versions) && typeof entry.body === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}
