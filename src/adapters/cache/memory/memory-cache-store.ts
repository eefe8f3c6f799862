import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CacheConfig, CacheStore } from '../cache-store.ts';

/**
 * The in-process cache engine: entries in an lru-cache bounded to `maxEntries` and to `maxBytes`
 * characters of keys and values (the least recently used is evicted first, counted in
 * `evictions()`), each with its own TTL. Tag versions live in a
 * second LRU of the same bound, so neither grows without limit; losing a tag there is safe (see
 * the tag rules in cache-store.ts). One store per server process: instances do not share it.
 *
 * @example
 * const store = createMemoryCacheStore({ engine: 'memory', maxEntries: 10_000 });
 * await store.set('k', 'v', 60_000);
 * await store.get('k'); // 'v'
 */
export function createMemoryCacheStore(config: CacheConfig): CacheStore {
  return new MemoryCacheStore(config.maxEntries, config.maxBytes ?? DEFAULT_MAX_BYTES);
}

/** The default bound on the characters of keys and values kept (see CacheConfig.maxBytes). */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

class MemoryCacheStore implements CacheStore {
  readonly engine = 'memory' as const;
  private evicted = 0;
  private readonly entries: LRUCache<string, string>;
  private readonly tags: LRUCache<string, string>;
  /** Versions are `<store prefix>.<counter>`: unique across bumps, and across stores (and so instances). */
  private readonly prefix = randomBytes(6).toString('base64url');
  private counter = 0;

  constructor(maxEntries: number, maxBytes: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
    this.entries = new LRUCache<string, string>({
      max: maxEntries,
      maxSize: maxBytes,
      // One entry may take at most an eighth of the bound: a huge answer is not cached rather than
      // flushing everything else (lru-cache then drops any older value of the key).
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 8)),
      sizeCalculation: (value, key) => Math.max(1, value.length + key.length),
      // 'evict' is the only reason that means "dropped for space" (others: expire, set, delete).
      dispose: (_value, _key, reason) => { if (reason === 'evict') this.evicted++; },
    });
    this.tags = new LRUCache<string, string>({ max: maxEntries });
  }

  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
    this.entries.set(key, value, { ttl: ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async bump(tags: readonly string[]): Promise<void> {
    for (const tag of tags) this.tags.set(tag, this.nextVersion());
  }

  async versions(tags: readonly string[]): Promise<string[]> {
    return tags.map((tag) => {
      let version = this.tags.get(tag);
      if (version === undefined) {
        version = this.nextVersion();
        this.tags.set(tag, version);
      }
      return version;
    });
  }

  async evictions(): Promise<number> {
    return this.evicted;
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.tags.clear();
  }

  private nextVersion(): string {
    return `${this.prefix}.${(++this.counter).toString(36)}`;
  }
}
