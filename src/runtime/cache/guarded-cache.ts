import type { CacheStore } from '../../adapters/cache/cache-store.ts';
import type { CacheMetrics, CacheOperation } from './cache-metrics.ts';

/** Where cache failures are reported (the server's logger). */
export interface CacheLog {
  warn(obj: unknown, msg?: string): void;
}

/** Options of {@link GuardedCache}. */
export interface GuardOptions {
  /** The longest TTL an entry can have: how long reads skip the cache after an operation failed. */
  distrustMs: number;
  /** At most one log line per operation per interval (default 30 s); the others are counted in it. */
  logIntervalMs?: number;
  /** How often failed invalidations are retried (default 1 s). */
  replayIntervalMs?: number;
  now?: () => number;
}

/**
 * A cache store whose failures are misses: every operation resolves, never rejects. A failure is
 * counted (`archspec_cache_errors_total{operation}`) and logged at most once per interval per
 * operation, with the number of failures since the last line.
 *
 * A failure of any operation means the store may be unreachable, and while a shared store (Redis)
 * is unreachable, other instances' invalidations may be failing too: entries written before may be
 * stale and nothing would notice. {@link trusts} then answers false for every lookup that started
 * before the failure, and for all of them until the longest TTL has passed (by then such entries
 * expired), so records and answers are served from the database instead. Invalidations that failed
 * are also kept and replayed (every `replayIntervalMs`) until the store takes them, so entries
 * another instance reads once the store is back are invalidated as soon as possible.
 */
/** At most this many failed invalidation tags (and as many record keys) are kept for replay. */
const MAX_MISSED = 100_000;

export class GuardedCache {
  private readonly now: () => number;
  private readonly logIntervalMs: number;
  private readonly logged = new Map<CacheOperation, { at: number; suppressed: number }>();
  private lastFailure = Number.NEGATIVE_INFINITY;
  /** Invalidations the store did not take: tags to bump and record keys to delete, replayed until it does. */
  private readonly missedTags = new Set<string>();
  private readonly missedKeys = new Set<string>();
  private replayTimer: NodeJS.Timeout | undefined;
  private closed = false;

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
   * while a failure could have left stale entries (until the longest TTL after it), and for lookups
   * that began before the latest failure (their version snapshot may predate a write they missed).
   */
  trusts(startedAt: number): boolean {
    const failure = this.lastFailure;
    return startedAt > failure && this.now() >= failure + this.options.distrustMs;
  }

  get(key: string): Promise<string | undefined> {
    return this.guard('get', () => this.store.get(key), undefined);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.guard('set', () => this.store.set(key, value, Math.max(1, Math.round(ttlMs))), undefined);
  }

  /** Deletes `key`; with `invalidating`, a failure is kept and replayed (see the class comment). */
  async delete(key: string, invalidating = false): Promise<void> {
    const ok = await this.guard('delete', async () => { await this.store.delete(key); return true; }, false);
    if (!ok && invalidating) this.miss([], [key]);
  }

  /** Bumps `tags` for a committed write; a failure is kept and replayed (see the class comment). */
  async bump(tags: readonly string[]): Promise<void> {
    if (!tags.length) return;
    const ok = await this.guard('bump', async () => { await this.store.bump(tags); return true; }, false);
    if (!ok) this.miss(tags, []);
  }

  /** Invalidations not yet taken by the store (tags and record keys). */
  pendingInvalidations(): number {
    return this.missedTags.size + this.missedKeys.size;
  }

  /** Retries the failed invalidations now; true when none is left. */
  async replay(): Promise<boolean> {
    if (this.missedTags.size) {
      const tags = [...this.missedTags];
      const ok = await this.guard('bump', async () => { await this.store.bump(tags); return true; }, false);
      if (!ok) return false;
      for (const tag of tags) this.missedTags.delete(tag);
    }
    for (const key of [...this.missedKeys]) {
      const ok = await this.guard('delete', async () => { await this.store.delete(key); return true; }, false);
      if (!ok) return false;
      this.missedKeys.delete(key);
    }
    return true;
  }

  /** Stops replaying (the server is closing). */
  close(): void {
    this.closed = true;
    if (this.replayTimer) clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
  }

  private miss(tags: readonly string[], keys: readonly string[]): void {
    // Bounded: past the cap (a long outage under many writes) the rest is left to the distrust
    // period and, on Redis, to the epoch the store replaces once it is reachable again.
    for (const tag of tags) if (this.missedTags.size < MAX_MISSED) this.missedTags.add(tag);
    for (const key of keys) if (this.missedKeys.size < MAX_MISSED) this.missedKeys.add(key);
    this.scheduleReplay();
  }

  private scheduleReplay(): void {
    if (this.replayTimer || this.closed) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      void this.replay().then((done) => { if (!done) this.scheduleReplay(); });
    }, this.options.replayIntervalMs ?? 1_000);
    this.replayTimer.unref();
  }

  /** The versions of `tags`, or undefined when the store failed (then nothing may be stored either). */
  versions(tags: readonly string[]): Promise<string[] | undefined> {
    return this.guard('versions', () => this.store.versions(tags), undefined);
  }

  private async guard<T, F>(operation: CacheOperation, run: () => Promise<T>, fallback: F): Promise<T | F> {
    try {
      return await run();
    } catch (error) {
      this.lastFailure = this.now();
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
