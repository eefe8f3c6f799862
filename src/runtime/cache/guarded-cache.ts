import type { CacheStore } from '../../adapters/cache/cache-store.ts';
import type { CacheMetrics, CacheOperation } from './cache-metrics.ts';

/** Where cache failures are reported (the server's logger). */
export interface CacheLog {
  warn(obj: unknown, msg?: string): void;
}

/** Options of {@link GuardedCache}. */
export interface GuardOptions {
  /** The longest TTL an invalidated entry can have: how long reads skip the cache after an invalidation failed. */
  distrustMs: number;
  /** At most one log line per operation per interval (default 30 s); the others are counted in it. */
  logIntervalMs?: number;
  now?: () => number;
}

/**
 * A cache store whose failures are misses: every operation resolves, never rejects. A failure is
 * counted (`archspec_cache_errors_total{operation}`) and logged at most once per interval per
 * operation, with the number of failures since the last line.
 *
 * When an invalidation fails (a write committed but its tags could not be bumped), entries written
 * before may be stale and nothing would notice: {@link trusts} then answers false for every lookup
 * that started before the failure, until the longest TTL has passed (by then they expired), so
 * records and answers are served from the database instead.
 */
export class GuardedCache {
  private readonly now: () => number;
  private readonly logIntervalMs: number;
  private readonly logged = new Map<CacheOperation, { at: number; suppressed: number }>();
  private lastInvalidationFailure = Number.NEGATIVE_INFINITY;

  constructor(readonly store: CacheStore, private readonly metrics: CacheMetrics, private readonly log: CacheLog, private readonly options: GuardOptions) {
    this.now = options.now ?? Date.now;
    this.logIntervalMs = options.logIntervalMs ?? 30_000;
  }

  /** The current time as the guard sees it (lookups note it when they start). */
  clock(): number {
    return this.now();
  }

  /**
   * Whether entries may be served to, or stored by, a lookup that started at `startedAt`: false
   * while an invalidation failure could have left stale entries, and for lookups that began before
   * the latest failure (their version snapshot may predate the write they missed).
   */
  trusts(startedAt: number): boolean {
    const failure = this.lastInvalidationFailure;
    return startedAt > failure && this.now() >= failure + this.options.distrustMs;
  }

  get(key: string): Promise<string | undefined> {
    return this.guard('get', () => this.store.get(key), undefined);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.guard('set', () => this.store.set(key, value, Math.max(1, Math.round(ttlMs))), undefined);
  }

  /** Deletes `key`; with `invalidating`, a failure also distrusts the cache (see {@link trusts}). */
  async delete(key: string, invalidating = false): Promise<void> {
    const ok = await this.guard('delete', async () => { await this.store.delete(key); return true; }, false);
    if (!ok && invalidating) this.lastInvalidationFailure = this.now();
  }

  /** Bumps `tags` for a committed write; a failure distrusts the cache (see {@link trusts}). */
  async bump(tags: readonly string[]): Promise<void> {
    if (!tags.length) return;
    const ok = await this.guard('bump', async () => { await this.store.bump(tags); return true; }, false);
    if (!ok) this.lastInvalidationFailure = this.now();
  }

  /** The versions of `tags`, or undefined when the store failed (then nothing may be stored either). */
  versions(tags: readonly string[]): Promise<string[] | undefined> {
    return this.guard('versions', () => this.store.versions(tags), undefined);
  }

  private async guard<T, F>(operation: CacheOperation, run: () => Promise<T>, fallback: F): Promise<T | F> {
    try {
      return await run();
    } catch (error) {
      this.metrics.error(operation);
      this.report(operation, error);
      return fallback;
    }
  }

  private report(operation: CacheOperation, error: unknown): void {
    const now = this.now();
    const last = this.logged.get(operation);
    if (last && now - last.at < this.logIntervalMs) {
      last.suppressed++;
      return;
    }
    this.logged.set(operation, { at: now, suppressed: 0 });
    const err = error instanceof Error ? { message: error.message, name: error.name } : { message: String(error) };
    this.log.warn({ err, operation, engine: this.store.engine, failuresSinceLastReport: (last?.suppressed ?? 0) + 1 },
      `cache ${operation} failed; serving from the database (failures are misses)`);
  }
}
