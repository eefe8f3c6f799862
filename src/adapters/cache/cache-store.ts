/**
 * The cache family: one asynchronous interface the runtime caches through (records, GET answers,
 * `ctx.cache` of handlers). Engines live in `memory/` and `redis/` and are picked
 * from the `CACHE_ENGINES` table of `create-cache-store.ts`, keyed by the spec's
 * `architecture.storage.cache.engine` names. Every method may reject (a remote cache can be down):
 * the runtime treats any failure as a miss, never as a failed request.
 *
 * Values are strings (callers serialize), so an entry read back is never the object a caller still
 * holds and a remote engine stores exactly what the memory engine does.
 *
 * Invalidation uses **tag versions**: an entry records the versions of the tags it depends on
 * (`versions(tags)` before computing it) and is valid only while they are unchanged; `bump(tag)`
 * makes every entry recorded under the tag's old version invalid at once, however many there are,
 * without finding them. A version is an opaque token, unique across bumps and instances: an engine
 * that loses a tag (evicted, restarted) hands out a fresh token on the next `versions` call, so an
 * entry recorded under the lost one can only become invalid, never valid again.
 */

/** The engine names of `architecture.storage.cache.engine`. */
export type CacheEngineName = 'memory' | 'redis';

/** How to open a cache store. */
export interface CacheConfig {
  engine: CacheEngineName;
  /** Most entries kept (least recently used are evicted first); `architecture.storage.cache.maxEntries`, default 10000. */
  maxEntries: number;
  /**
   * Most characters of keys and values an in-process engine keeps (about bytes for the ASCII JSON
   * stored here), so large answers cannot exhaust the server's memory before `maxEntries` is
   * reached; least recently used entries are evicted first. Default 64 Mi. A remote engine's own
   * memory policy bounds it instead.
   */
  maxBytes?: number;
  /** The Redis URL (`REDIS_URL`): the `redis` engine runs on it; without it `redis` runs the memory engine. */
  redisUrl?: string;
  /** Prefix of the keys a remote engine writes (one namespace per service), e.g. `archspec:linkly:cache:`. */
  keyPrefix?: string;
}

export interface CacheStore {
  /** The engine that actually runs (`redis` only with a Redis URL; see `create-cache-store.ts`). */
  readonly engine: CacheEngineName;
  /** The value stored under `key`, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds (a positive integer), replacing any previous value. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes `key` (nothing happens when it is absent). */
  delete(key: string): Promise<void>;
  /** Gives each tag a new version (a token no earlier `versions` call returned). */
  bump(tags: readonly string[]): Promise<void>;
  /**
   * The current version of each tag, in order. A tag never bumped (or lost by the engine) gets a
   * fresh version here, which stays its version until the next bump.
   */
  versions(tags: readonly string[]): Promise<string[]>;
  /** Entries dropped to stay within `maxEntries` since the store opened (not expiries or deletes). */
  evictions(): Promise<number>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
}
