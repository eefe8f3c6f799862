import { StorageUnavailableError, type Storage } from '../storage.ts';
import type { Lsn } from './lsn.ts';
import type { WalReader } from './wal-reader.ts';

/** One read replica as configured: how to name it and how to open it. */
export interface ReplicaSource {
  /** `host:port` for logs, metrics and /readyz (never credentials). */
  readonly name: string;
  /** Opens a storage on the standby (same model and field cipher as the primary; never migrated: a standby is read-only). */
  open(): Promise<Storage>;
}

/** What a replica is doing, as {@link ReplicaSet.status} reports it. */
export type ReplicaState = 'starting' | 'up' | 'down' | 'not-standby';

export interface ReplicaStatus {
  name: string;
  state: ReplicaState;
  /** Bytes of WAL the primary has written that the replica has not replayed (as last polled); undefined when unknown. */
  lagBytes?: number;
}

/** Timing of {@link ReplicaSet}. */
export interface ReplicaSetOptions {
  /** How often each replica's replay position is polled, ms (default 200). */
  pollMs?: number;
  /** First wait before a replica that failed is tried again, ms; doubled after each further failure (default 1000). */
  retryMs?: number;
  /** Longest wait between tries of a failed replica, ms (default 15000). */
  maxRetryMs?: number;
  /** Longest wait for one poll before the replica counts as down, ms (default 2000). */
  probeTimeoutMs?: number;
  /** Told when a replica changes state (down, up again, not a standby). */
  log?: ReplicaLog;
  now?: () => number;
}

export interface ReplicaLog {
  info(message: string): void;
  warn(message: string): void;
}

interface Replica {
  source: ReplicaSource;
  storage?: Storage;
  state: ReplicaState;
  /** The replay position last polled: a lower bound of what the replica has replayed now. */
  replayed?: Lsn;
  retryAt: number;
  retryMs: number;
  polling: boolean;
}

/**
 * The read replicas of one primary and what is known about each: polled every `pollMs` (timer
 * unref'd) for its replay position, marked down when a poll or a read fails to connect and tried
 * again after a back-off (doubling up to `maxRetryMs`). Replicas are opened lazily by the poller, so
 * one that is unreachable at start joins when it answers.
 *
 * @example
 * const set = new ReplicaSet(primary, sources, POSTGRES_WAL);
 * await set.start();
 * const replica = set.pick(principalPosition); // a storage that has replayed that far, or undefined
 */
export class ReplicaSet {
  private readonly replicas: Replica[];
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly probeTimeoutMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private next = 0;
  private primaryPosition: Lsn | undefined;
  private primaryPolling = false;

  constructor(private readonly primary: Storage, sources: readonly ReplicaSource[], private readonly wal: WalReader, private readonly options: ReplicaSetOptions = {}) {
    this.pollMs = options.pollMs ?? 200;
    this.retryMs = options.retryMs ?? 1000;
    this.maxRetryMs = options.maxRetryMs ?? 15_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.replicas = sources.map((source) => ({ source, state: 'starting', retryAt: 0, retryMs: this.retryMs, polling: false }));
  }

  /** Polls every replica once (so the first requests already use those that answer), then every `pollMs`. */
  async start(): Promise<void> {
    // An unreachable replica may take the driver's connect timeout to fail: start does not wait for it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.poll(), new Promise<void>((resolve) => { timer = setTimeout(resolve, this.probeTimeoutMs); })]);
    clearTimeout(timer);
    if (this.closed) return;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** Replicas configured. */
  get size(): number {
    return this.replicas.length;
  }

  /** Replicas serving reads now. */
  usable(): number {
    return this.replicas.filter((r) => r.state === 'up').length;
  }

  /**
   * A replica to read from: one that is up and, with `needed`, has replayed at least that far;
   * round-robin among those. Undefined when none qualifies (read the primary).
   */
  pick(needed?: Lsn): { name: string; storage: Storage } | undefined {
    const eligible = this.replicas.filter((r) => r.state === 'up' && r.storage && (needed === undefined || (r.replayed !== undefined && r.replayed >= needed)));
    if (!eligible.length) return undefined;
    this.next = (this.next + 1) % eligible.length;
    const chosen = eligible[this.next]!;
    return { name: chosen.source.name, storage: chosen.storage! };
  }

  /** A read on the replica `storage` (from {@link pick}) failed: a connection failure marks it down until its back-off has passed. */
  failed(storage: Storage, error: unknown): void {
    const replica = this.replicas.find((r) => r.storage === storage);
    if (replica && error instanceof StorageUnavailableError) this.markDown(replica, error);
  }

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => {
      const lag = r.state === 'up' && r.replayed !== undefined && this.primaryPosition !== undefined ? this.primaryPosition - r.replayed : undefined;
      return { name: r.source.name, state: r.state, ...(lag !== undefined ? { lagBytes: Number(lag > 0n ? lag : 0n) } : {}) };
    });
  }

  /** Stops polling and closes the replicas' storages (not the primary's). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all(this.replicas.map(async (r) => {
      const storage = r.storage;
      r.storage = undefined;
      r.state = 'down';
      await storage?.close().catch(() => {});
    }));
  }

  private async poll(): Promise<void> {
    await Promise.all([this.pollPrimary(), ...this.replicas.map((r) => this.pollReplica(r))]);
  }

  private async pollPrimary(): Promise<void> {
    if (this.primaryPolling || this.closed) return;
    this.primaryPolling = true;
    const query = this.wal.insertPosition(this.primary);
    void query.catch(() => {}).then(() => { this.primaryPolling = false; });
    try {
      this.primaryPosition = await this.bounded(query);
    } catch {
      // Only the lag figure needs it; reads fail over on their own.
    }
  }

  private async pollReplica(replica: Replica): Promise<void> {
    if (replica.polling || this.closed) return;
    if (replica.state !== 'up' && replica.state !== 'starting' && this.now() < replica.retryAt) return;
    replica.polling = true;
    // The next poll waits for this one's query, not just for its time limit: a hung replica gets one query at a time.
    let settled: Promise<unknown> = Promise.resolve();
    try {
      if (!replica.storage) {
        const storage = await replica.source.open();
        if (this.closed) { await storage.close().catch(() => {}); return; }
        replica.storage = storage;
      }
      const query = this.wal.replayedPosition(replica.storage);
      settled = query.catch(() => {});
      const replayed = await this.bounded(query);
      if (replayed === undefined) return this.notStandby(replica);
      if (replica.state !== 'up' && replica.state !== 'starting') this.options.log?.info(`read replica ${replica.source.name} answers again; reads go to it`);
      replica.state = 'up';
      replica.replayed = replayed;
      replica.retryMs = this.retryMs;
    } catch (error) {
      this.markDown(replica, error);
    } finally {
      void settled.then(() => { replica.polling = false; });
    }
  }

  private markDown(replica: Replica, error: unknown): void {
    if (this.closed) return;
    const wasUsable = replica.state === 'up' || replica.state === 'starting';
    if (wasUsable) replica.retryMs = this.retryMs;
    replica.state = 'down';
    replica.retryAt = this.now() + replica.retryMs;
    if (wasUsable) this.options.log?.warn(`read replica ${replica.source.name} is unavailable (${(error as Error).message}); its reads go to the primary, retrying in ${replica.retryMs} ms and backing off`);
    replica.retryMs = Math.min(replica.retryMs * 2, this.maxRetryMs);
  }

  private notStandby(replica: Replica): void {
    if (replica.state !== 'not-standby') this.options.log?.warn(`read replica ${replica.source.name} is not a standby (not in recovery: a primary, or promoted); it gets no reads`);
    replica.state = 'not-standby';
    replica.retryAt = this.now() + this.maxRetryMs;
  }

  /** `promise`, or a rejection after `probeTimeoutMs` (the query itself goes on). */
  private async bounded<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StorageUnavailableError(`no answer within ${this.probeTimeoutMs} ms`)), this.probeTimeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
