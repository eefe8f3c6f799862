import type { ListQuery, MigrationReport, Page, Row, Storage, StorageEngineName, SystemStore, Transaction, WriteConflict } from '../storage.ts';
import type { Kysely } from 'kysely';
import type { Lsn } from './lsn.ts';
import { ReplicaSet, type ReplicaLog, type ReplicaSetOptions, type ReplicaSource, type ReplicaStatus } from './replica-set.ts';
import { POSTGRES_WAL, type WalReader } from './wal-reader.ts';
import type { WritePositions } from './write-positions.ts';

/** Where a record read was served. */
export type ReadTarget = 'primary' | 'replica';

/** What the wrapper needs to know about the work in progress (the runtime supplies it; adapters know no requests). */
export interface ReplicaRouting {
  /**
   * Who is reading or writing now. Reads by a principal see that principal's own earlier writes;
   * undefined (anonymous, background work) gets no such guarantee.
   */
  principal(): string | undefined;
  /** True when the read in progress must see every committed write: it goes to the primary (cache fills, reads of a write request). */
  preferPrimary(): boolean;
  /**
   * Principals a newly inserted record stands for (the account entity's record is the user who
   * signs up): their reads see the insert too, though the insert was made anonymously.
   */
  principalsCreatedBy?(entity: string, row: Row): readonly string[];
}

/** What {@link ReplicatedStorage} works with besides the primary. */
export interface ReplicatedStorageOptions extends ReplicaSetOptions {
  replicas: readonly ReplicaSource[];
  positions: WritePositions;
  routing: ReplicaRouting;
  /** Default: PostgreSQL's WAL functions. */
  wal?: WalReader;
  /** Counts each record read outside a transaction by where it was served. */
  onRead?(target: ReadTarget): void;
  log?: ReplicaLog;
}

type GetOptions = { includeDeleted?: boolean; forUpdate?: boolean };

/**
 * A {@link Storage} that serves record reads made outside a transaction (`get` without `forUpdate`,
 * `getMany`, `list`) from read replicas and everything else from the primary: writes,
 * transactions, `kysely`, `system`, `migrate`, `isMigrated`, `ping`, `poolStats`.
 *
 * **Read-your-writes.** After a write commits (a record write outside a transaction that changed
 * something, or any transaction), the primary's WAL insert position is recorded for the principal
 * (`routing.principal()`) in `positions`, which every instance shares when it is Redis. A later
 * read by that principal goes to a replica only if the replica's polled replay position (a lower
 * bound of what it has replayed) is at or after it; otherwise to the primary. Reads with
 * `routing.preferPrimary()` always go to the primary. When recording a position or looking one up
 * fails, the reads of every principal go to the primary until the positions' TTL has passed (or
 * for that read), so no write is missed.
 *
 * **Failures.** A replica read that fails is answered from the primary (a failing replica never
 * fails a request the primary can answer); a connection failure also marks the replica down until
 * its back-off has passed (see ReplicaSet).
 *
 * @example
 * const storage = new ReplicatedStorage(primary, { replicas, positions, routing });
 * await storage.start();
 */
export class ReplicatedStorage implements Storage {
  readonly engine: StorageEngineName;
  private readonly replicas: ReplicaSet;
  private readonly wal: WalReader;
  private readonly now: () => number;
  /** Until when every principal's reads go to the primary (a position could not be recorded). */
  private primaryOnlyUntil = 0;

  constructor(private readonly primary: Storage, private readonly options: ReplicatedStorageOptions) {
    this.engine = primary.engine;
    this.wal = options.wal ?? POSTGRES_WAL;
    this.now = options.now ?? Date.now;
    this.replicas = new ReplicaSet(primary, options.replicas, this.wal, options);
  }

  /** Polls the replicas once and keeps polling (see ReplicaSet.start). */
  start(): Promise<void> {
    return this.replicas.start();
  }

  /** Each replica's state and lag. */
  status(): ReplicaStatus[] {
    return this.replicas.status();
  }

  /** Replicas serving reads now, of {@link size}. */
  usable(): number {
    return this.replicas.usable();
  }

  get size(): number {
    return this.replicas.size;
  }

  get(entity: string, id: string | number, options?: GetOptions): Promise<Row | undefined> {
    if (options?.forUpdate) return this.primary.get(entity, id, options);
    return this.read((s) => s.get(entity, id, options));
  }

  getMany(entity: string, ids: readonly (string | number)[]): Promise<Row[]> {
    return this.read((s) => s.getMany(entity, ids));
  }

  list(entity: string, query: ListQuery): Promise<Page> {
    return this.read((s) => s.list(entity, query));
  }

  async insert(entity: string, values: Row): Promise<Row> {
    const row = await this.primary.insert(entity, values);
    await this.wrote(this.options.routing.principalsCreatedBy?.(entity, row) ?? []);
    return row;
  }

  async update(entity: string, id: string | number, patch: Row, options?: { expectedVersion?: number; includeDeleted?: boolean }): Promise<Row | WriteConflict | undefined> {
    const result = await this.primary.update(entity, id, patch, options);
    if (result !== undefined && 'version' in result) await this.wrote([]);
    return result;
  }

  async delete(entity: string, id: string | number, options?: { expectedVersion?: number; hard?: boolean }): Promise<boolean | WriteConflict> {
    const result = await this.primary.delete(entity, id, options);
    if (result === true) await this.wrote([]);
    return result;
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const created: string[] = [];
    const principalsOf = this.options.routing.principalsCreatedBy?.bind(this.options.routing);
    const result = await this.primary.transaction((tx) => fn(principalsOf ? watchInserts(tx, (entity, row) => created.push(...principalsOf(entity, row))) : tx));
    // Whether it wrote is not known (kysely statements too): every committed transaction counts as a write.
    await this.wrote(created);
    return result;
  }

  get kysely(): Kysely<any> {
    return this.primary.kysely;
  }

  get system(): SystemStore {
    return this.primary.system;
  }

  migrate(options?: { allowDestructive?: boolean; dryRun?: boolean }): Promise<MigrationReport> {
    return this.primary.migrate(options);
  }

  isMigrated(): Promise<boolean> {
    return this.primary.isMigrated();
  }

  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    return this.primary.poolStats();
  }

  ping(): Promise<void> {
    return this.primary.ping();
  }

  /** Stops polling and closes the replicas and the positions store, leaving the primary open (its owner closes it). */
  async closeReplicas(): Promise<void> {
    await this.replicas.close();
    await this.options.positions.close();
  }

  async close(): Promise<void> {
    await this.closeReplicas();
    await this.primary.close();
  }

  private async read<T>(run: (storage: Storage) => Promise<T>): Promise<T> {
    const target = await this.replicaFor();
    if (target) {
      try {
        const result = await run(target.storage);
        this.options.onRead?.('replica');
        return result;
      } catch (error) {
        // Whatever failed there (a dropped connection, a table the standby has not replayed yet), the primary answers.
        this.replicas.failed(target.storage, error);
      }
    }
    const result = await run(this.primary);
    this.options.onRead?.('primary');
    return result;
  }

  /** The replica this read may use, or undefined for the primary. */
  private async replicaFor(): Promise<{ name: string; storage: Storage } | undefined> {
    const { routing, positions } = this.options;
    if (!this.replicas.usable() || routing.preferPrimary()) return undefined;
    const principal = routing.principal();
    if (principal === undefined) return this.replicas.pick();
    if (this.now() < this.primaryOnlyUntil) return undefined;
    let needed: Lsn | undefined;
    try {
      needed = await positions.latest(principal);
    } catch {
      return undefined;
    }
    return this.replicas.pick(needed);
  }

  /** Records the primary's position for the acting principal and `created`, after a write committed. */
  private async wrote(created: readonly string[]): Promise<void> {
    const acting = this.options.routing.principal();
    const principals = [...new Set(acting === undefined ? created : [acting, ...created])];
    if (!principals.length) return;
    try {
      const position = await this.wal.insertPosition(this.primary);
      await Promise.all(principals.map((p) => this.options.positions.record(p, position)));
    } catch (error) {
      // The write stands; without its position no principal's read may trust a replica for a while.
      if (this.now() >= this.primaryOnlyUntil) this.options.log?.warn(`could not record a write position for read-your-writes (${(error as Error).message}); reads go to the primary for ${this.options.positions.ttlMs} ms`);
      this.primaryOnlyUntil = this.now() + this.options.positions.ttlMs;
    }
  }
}

/** `tx` with `insert` reporting each inserted row to `inserted`; every other property is the transaction's own. */
function watchInserts(tx: Transaction, inserted: (entity: string, row: Row) => void): Transaction {
  const insert = async (entity: string, values: Row) => {
    const row = await tx.insert(entity, values);
    inserted(entity, row);
    return row;
  };
  return new Proxy(tx, {
    get(target, key) {
      if (key === 'insert') return insert;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
