import type { HandlerCache } from './handler-context.ts';

/**
 * `ctx.cache` for now: an in-process map with per-entry TTLs and a size bound (the oldest entry is
 * evicted first). Shared by every request of one server; not shared between instances.
 */
export class MemoryCache implements HandlerCache {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();

  constructor(private readonly maxEntries = 10_000, private readonly defaultTtlMs = 60_000, private readonly now: () => number = Date.now) {}

  get<T = unknown>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  set(key: string, value: unknown, ttlMs = this.defaultTtlMs): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
