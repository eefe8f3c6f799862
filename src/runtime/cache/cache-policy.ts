import type { Endpoint, SystemModel } from '../../model/system-model.ts';

/**
 * What the spec asks to cache, and for how long, read once from the model:
 *
 * - an **entity** named in `scalability.cache` (`Link: 60s`) has its records cached by id
 *   (read-through on every `get` of it, whoever reads);
 * - a **GET endpoint** with a TTL (its own `cache:` or its key in `scalability.cache`; both: the
 *   shorter) has its answers cached, unless it declares `emits`: its side effects must happen on
 *   every call, so for it the TTL applies to the records its handler reads with `ctx.db.get`.
 *
 * `scalability.cache` keys are matched by name (an endpoint key or an entity name), not by the
 * model's `targetKind`, which cannot tell `GET /x` from an entity by its shape alone.
 */
export interface CachePolicy {
  /** The TTL of records of `entity` when read anywhere, if the spec caches it. */
  entityTtl(entity: string): number | undefined;
  /** The TTL of answers of `endpoint` (by key) when they are cached (GET with a TTL and no `emits`). */
  responseTtl(endpoint: string): number | undefined;
  /** The TTL of the record reads made while serving `endpoint` (by key): the emits rule. */
  handlerReadTtl(endpoint: string): number | undefined;
  /** Whether records of `entity` may be cached at all (false for encrypted entities on a remote cache). */
  holds(entity: string): boolean;
  /** Whether anything at all is cached by TTL (records or answers). */
  readonly cachesAnything: boolean;
  /** The longest TTL in the spec: no entry written now outlives it. */
  readonly longestTtlMs: number;
}

/** The TTL the spec gives `endpoint`: its `cache:` and its `scalability.cache` entry, the shorter when both. */
export function endpointTtl(model: SystemModel, endpoint: Endpoint): number | undefined {
  const fromScalability = model.scalability.cache.find((c) => c.target === endpoint.key)?.ttlMs;
  const ttls = [endpoint.cacheMs, fromScalability].filter((t): t is number => t !== undefined && t > 0);
  return ttls.length ? Math.min(...ttls) : undefined;
}

/**
 * Reads the caching rules of `model`. With `remote` (the cache lives outside the process: Redis),
 * nothing decrypted from an encrypted-at-rest field is cached, since the cache would hold it in
 * plaintext: records of entities with encrypted fields are not cached, nor the answers of generated
 * endpoints whose entity or a referenced (expandable) entity has them, nor, when the spec encrypts
 * anything, the answers of custom endpoints (their content is unknown).
 *
 * @example
 * const policy = cachePolicy(linkly);
 * policy.entityTtl('Link');                // 60000
 * policy.responseTtl('GET /r/{code}');     // undefined: it emits link.visited
 * policy.handlerReadTtl('GET /r/{code}');  // 60000
 */
export function cachePolicy(model: SystemModel, options: { remote?: boolean } = {}): CachePolicy {
  const entities = new Set(model.entities.map((e) => e.name));
  const secret = new Set(options.remote ? model.entities.filter((e) => e.fields.some((f) => f.encrypted)).map((e) => e.name) : []);
  const holds = (entity: string) => !secret.has(entity);
  const answerHolds = (endpoint: Endpoint) => {
    if (!secret.size) return true;
    if (!endpoint.entity) return false;
    const entity = model.entities.find((e) => e.name === endpoint.entity);
    return holds(endpoint.entity) && !(entity?.fields.some((f) => f.ref && !holds(f.ref.entity)) ?? false);
  };
  const entityTtls = new Map<string, number>();
  for (const c of model.scalability.cache) if (entities.has(c.target) && c.ttlMs > 0 && holds(c.target)) entityTtls.set(c.target, c.ttlMs);
  const responseTtls = new Map<string, number>();
  const handlerReadTtls = new Map<string, number>();
  for (const endpoint of model.api.endpoints) {
    const ttl = endpointTtl(model, endpoint);
    if (ttl === undefined || endpoint.method !== 'GET') continue;
    if (endpoint.emits.length) handlerReadTtls.set(endpoint.key, ttl);
    else if (answerHolds(endpoint)) responseTtls.set(endpoint.key, ttl);
  }
  const all = [...entityTtls.values(), ...responseTtls.values(), ...handlerReadTtls.values()];
  return {
    entityTtl: (entity) => entityTtls.get(entity),
    responseTtl: (endpoint) => responseTtls.get(endpoint),
    handlerReadTtl: (endpoint) => handlerReadTtls.get(endpoint),
    holds,
    cachesAnything: all.length > 0,
    longestTtlMs: all.length ? Math.max(...all) : 0,
  };
}
