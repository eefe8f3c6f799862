import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CacheConfig, CacheStore } from '../cache-store.ts';
import { closeRedis, openRedis, untilReady } from '../../redis/redis-connection.ts';

/** How long a tag's version is kept without a bump (default 1 day); losing it later only costs misses. */
export const DEFAULT_TAG_TTL_MS = 24 * 60 * 60 * 1000;

/** Options of {@link createRedisCacheStore} besides the cache config. */
export interface RedisCacheOptions {
  /** The Redis URL (`REDIS_URL`, checked by `redisUrlFrom`). */
  url: string;
  /** Prefix of every key this store writes, e.g. `archspec:linkly:cache:` (one namespace per service). */
  keyPrefix: string;
  /** Lifetime of a tag's version key, renewed by each bump (default {@link DEFAULT_TAG_TTL_MS}). */
  tagTtlMs?: number;
}

/**
 * Gets each tag's version, creating a fresh one (from ARGV) for a tag that has none, in one atomic
 * step: concurrent instances asking for a new tag all get the same version. Every version is
 * prefixed with the namespace's epoch (KEYS[1]), replaced when ARGV[3] is '1' (see `epochStale`).
 * ARGV: tag TTL, a fresh epoch, the replace flag, then a fresh token per tag key (KEYS[2..]).
 */
const VERSIONS_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if (not epoch) or ARGV[3] == '1' then
  epoch = ARGV[2]
  redis.call('SET', KEYS[1], epoch)
end
local out = {}
for i = 2, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if not v then
    v = ARGV[i + 2]
    redis.call('SET', KEYS[i], v, 'PX', ARGV[1])
  end
  out[i - 1] = epoch .. '.' .. v
end
return out`;

/**
 * The Redis cache engine: one cache shared by every instance of the service, so a write through
 * any instance invalidates every instance's entries at once. Keys: `<prefix>v:<key>` holds a value
 * (`SET ... PX ttl`), `<prefix>t:<tag>` a tag's version, `<prefix>epoch` the namespace's epoch.
 * A version is `<epoch>.<token>`, each 16 random bytes (base64url), the token fresh on every bump
 * and for every tag Redis lost (evicted, expired, flushed): never a version handed out before, so
 * an entry recorded under a lost version can only become invalid. When a bump fails (a write's
 * invalidation did not reach Redis), the store replaces the epoch at its next `versions` call
 * that reaches Redis, which invalidates every instance's entries at once: other instances cannot
 * know which tags the lost bump named.
 *
 * Redis bounds its own memory (`maxmemory` and `maxmemory-policy`; `allkeys-lru` suits a cache), so
 * `maxEntries`/`maxBytes` do not apply; `evictions()` reports Redis's `evicted_keys` (INFO stats)
 * since the store opened: every key Redis evicted, this service's or not. Every operation rejects
 * quickly when Redis is down or slow (see redis-connection.ts); the runtime treats that as a miss.
 *
 * @example
 * const store = await createRedisCacheStore({ engine: 'redis', maxEntries: 10_000 }, { url: 'redis://127.0.0.1:6379', keyPrefix: 'archspec:linkly:cache:' });
 * await store.set('k', 'v', 60_000);
 */
export async function createRedisCacheStore(_config: CacheConfig, options: RedisCacheOptions): Promise<CacheStore> {
  const client = openRedis(options.url, 'archspec-cache') as ScriptedRedis;
  // A defined command runs by EVALSHA (sending the script only when Redis does not know it yet).
  client.defineCommand('archspecTagVersions', { lua: VERSIONS_SCRIPT });
  const store = new RedisCacheStore(client, options.keyPrefix, options.tagTtlMs ?? DEFAULT_TAG_TTL_MS);
  // Start with the connection up when Redis answers, so the first requests are not misses; never waits long.
  await untilReady(client);
  await store.evictions().catch(() => 0);
  return store;
}

/** The client with the script above defined on it (numkeys first: tags vary in number). */
type ScriptedRedis = Redis & { archspecTagVersions(...args: (string | number)[]): Promise<unknown[]> };

class RedisCacheStore implements CacheStore {
  readonly engine = 'redis' as const;
  /** evicted_keys as last read, and the evictions counted before it (Redis restarts reset evicted_keys). */
  private lastEvictedKeys: number | undefined;
  private evicted = 0;
  /** A bump failed (Redis down or slow): the namespace's epoch must be replaced before versions are trusted again. */
  private epochStale = false;

  constructor(private readonly client: ScriptedRedis, private readonly prefix: string, private readonly tagTtlMs: number) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.valueKey(key))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
    await this.client.set(this.valueKey(key), value, 'PX', ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.client.del(this.valueKey(key));
  }

  async bump(tags: readonly string[]): Promise<void> {
    if (!tags.length) return;
    try {
      const multi = this.client.multi();
      for (const tag of tags) multi.set(this.tagKey(tag), freshVersion(), 'PX', this.tagTtlMs);
      failOnError(await multi.exec());
    } catch (error) {
      // A committed write whose tags may not have moved: every instance must stop trusting entries
      // stored before it, so the next versions call that reaches Redis replaces the epoch.
      this.epochStale = true;
      throw error;
    }
  }

  async versions(tags: readonly string[]): Promise<string[]> {
    if (!tags.length && !this.epochStale) return [];
    const keys = [`${this.prefix}epoch`, ...tags.map((tag) => this.tagKey(tag))];
    const renew = this.epochStale;
    const answer = await this.client.archspecTagVersions(keys.length, ...keys, this.tagTtlMs, freshVersion(), renew ? '1' : '0', ...tags.map(freshVersion));
    if (renew) this.epochStale = false;
    return answer.map(String);
  }

  async evictions(): Promise<number> {
    const info = await this.client.info('stats');
    const now = Number(/^evicted_keys:(\d+)/m.exec(info)?.[1] ?? 0);
    if (this.lastEvictedKeys !== undefined) this.evicted += now >= this.lastEvictedKeys ? now - this.lastEvictedKeys : now;
    this.lastEvictedKeys = now;
    return this.evicted;
  }

  close(): Promise<void> {
    return closeRedis(this.client);
  }

  private valueKey(key: string): string {
    return `${this.prefix}v:${key}`;
  }

  private tagKey(tag: string): string {
    return `${this.prefix}t:${tag}`;
  }
}

/** A version no store handed out before: 128 random bits. */
function freshVersion(): string {
  return randomBytes(16).toString('base64url');
}

/** Rejects with the first failed command of a MULTI (ioredis resolves exec with per-command errors). */
function failOnError(results: [Error | null, unknown][] | null): void {
  if (!results) throw new Error('Redis aborted the transaction');
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}
