import { afterEach, describe, expect, it } from 'vitest';
import { StorageUnavailableError, type Row, type Storage } from '../storage.ts';
import { createMemoryCacheStore } from '../../cache/memory/memory-cache-store.ts';
import type { CacheStore } from '../../cache/cache-store.ts';
import type { Lsn } from './lsn.ts';
import { ReplicatedStorage, type ReadTarget, type ReplicaRouting } from './replicated-storage.ts';
import type { WalReader } from './wal-reader.ts';
import { cacheWritePositions, type WritePositions } from './write-positions.ts';

/** A storage holding records in a map, counting the reads it serves; `fail` makes its reads throw. */
class FakeStore {
  readonly rows = new Map<string, Row>();
  reads = 0;
  fail: Error | undefined;
  readonly engine = 'postgres' as const;
  async get(_entity: string, id: string | number): Promise<Row | undefined> {
    return this.read(() => this.rows.get(String(id)));
  }
  async getMany(_entity: string, ids: readonly (string | number)[]): Promise<Row[]> {
    return this.read(() => ids.map((id) => this.rows.get(String(id))).filter((r): r is Row => r !== undefined));
  }
  async list(): Promise<{ items: Row[] }> {
    return this.read(() => ({ items: [...this.rows.values()] }));
  }
  async insert(_entity: string, values: Row): Promise<Row> {
    const row = { ...values, version: 1 };
    this.rows.set(String(values.id), row);
    return row;
  }
  async update(_entity: string, id: string | number, patch: Row): Promise<Row | undefined> {
    const row = this.rows.get(String(id));
    if (!row) return undefined;
    const next = { ...row, ...patch, version: Number(row.version) + 1 };
    this.rows.set(String(id), next);
    return next;
  }
  async delete(_entity: string, id: string | number): Promise<boolean> {
    return this.rows.delete(String(id));
  }
  async transaction<T>(fn: (tx: unknown) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {}
  private read<T>(answer: () => T): T {
    if (this.fail) throw this.fail;
    this.reads++;
    return answer();
  }
}

/** The WAL as the fakes see it: the primary's position, each replica's replayed position (undefined: not a standby; an Error: unreachable). */
class FakeWal implements WalReader {
  primary: Lsn = 100n;
  readonly replayed = new Map<unknown, Lsn | undefined | Error>();
  async insertPosition(): Promise<Lsn> {
    return this.primary;
  }
  async replayedPosition(replica: Storage): Promise<Lsn | undefined> {
    const value = this.replayed.get(replica);
    if (value instanceof Error) throw value;
    return value;
  }
}

const asStorage = (s: FakeStore) => s as unknown as Storage;

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Setup {
  storage: ReplicatedStorage;
  primary: FakeStore;
  replicas: FakeStore[];
  wal: FakeWal;
  reads: ReadTarget[];
  act: { principal?: string; preferPrimary: boolean };
}

const opened: ReplicatedStorage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.closeReplicas()));
});

async function setup(options: { replicas?: number; positions?: WritePositions; routing?: Partial<ReplicaRouting>; retryMs?: number } = {}): Promise<Setup> {
  const primary = new FakeStore();
  const replicas = Array.from({ length: options.replicas ?? 1 }, () => new FakeStore());
  const wal = new FakeWal();
  for (const r of replicas) wal.replayed.set(r, 0n);
  const reads: ReadTarget[] = [];
  const act: Setup['act'] = { preferPrimary: false };
  const storage = new ReplicatedStorage(asStorage(primary), {
    replicas: replicas.map((r, i) => ({ name: `replica-${i + 1}`, open: async () => asStorage(r) })),
    positions: options.positions ?? cacheWritePositions(createMemoryCacheStore({ engine: 'memory', maxEntries: 100 })),
    routing: { principal: () => act.principal, preferPrimary: () => act.preferPrimary, ...options.routing },
    wal, onRead: (t) => reads.push(t), pollMs: 5, retryMs: options.retryMs ?? 20, maxRetryMs: 40,
  });
  opened.push(storage);
  await storage.start();
  return { storage, primary, replicas, wal, reads, act };
}

/** Writes `id` to the primary as the acting principal (replicas copy it only when a test says so). */
async function write(s: Setup, id: string, principal: string | undefined): Promise<void> {
  s.act.principal = principal;
  await s.storage.insert('Note', { id, body: id });
  s.wal.primary += 10n;
}

/** Where one read by `principal` went. */
async function readAs(s: Setup, principal: string | undefined, id = 'n1'): Promise<ReadTarget> {
  s.act.principal = principal;
  const before = s.reads.length;
  await s.storage.get('Note', id);
  return s.reads[before]!;
}

describe('ReplicatedStorage routing', () => {
  it("sends a principal's reads to the primary until a replica has replayed past its write", async () => {
    const s = await setup();
    await write(s, 'n1', 'user:a'); // recorded at 100
    s.wal.replayed.set(s.replicas[0], 99n);
    await until(() => s.storage.status()[0]!.lagBytes === 11);
    expect(await readAs(s, 'user:a')).toBe('primary');
    expect(await readAs(s, 'user:b')).toBe('replica');
    expect(await readAs(s, undefined)).toBe('replica');
    s.wal.replayed.set(s.replicas[0], 100n);
    await until(async () => (await readAs(s, 'user:a')) === 'replica');
    // A later write moves the principal's position on again.
    await write(s, 'n2', 'user:a'); // recorded at 110
    expect(await readAs(s, 'user:a')).toBe('primary');
  });

  it('records a position after updates, deletes and transactions, but not after writes that changed nothing', async () => {
    const s = await setup();
    s.act.principal = 'user:a';
    await s.storage.update('Note', 'absent', { body: 'x' });
    expect(await readAs(s, 'user:a')).toBe('replica');
    await write(s, 'n1', undefined);
    s.wal.replayed.set(s.replicas[0], s.wal.primary);
    await until(() => s.storage.status()[0]!.lagBytes === 0);
    // Each write below commits past what the replica has replayed.
    s.wal.primary += 10n;
    s.act.principal = 'user:a';
    await s.storage.update('Note', 'n1', { body: 'changed' });
    expect(await readAs(s, 'user:a')).toBe('primary');
    s.act.principal = 'user:b';
    await s.storage.transaction(async () => {});
    expect(await readAs(s, 'user:b')).toBe('primary');
    s.act.principal = 'user:c';
    await s.storage.delete('Note', 'n1');
    expect(await readAs(s, 'user:c')).toBe('primary');
    expect(await readAs(s, 'user:d')).toBe('replica');
  });

  it('sends reads the routing marks preferPrimary, reads for update and everything but record reads to the primary', async () => {
    const s = await setup();
    s.act.preferPrimary = true;
    expect(await readAs(s, undefined)).toBe('primary');
    s.act.preferPrimary = false;
    await s.storage.get('Note', 'n1', { forUpdate: true });
    expect(s.replicas[0]!.reads).toBe(0);
    expect(s.storage.kysely).toBe((s.primary as unknown as Storage).kysely);
    await s.storage.list('Note', { limit: 10 });
    await s.storage.getMany('Note', ['n1']);
    expect(s.replicas[0]!.reads).toBe(2);
  });

  it('answers a failed replica read from the primary, marks the replica down and uses it again after its back-off', async () => {
    const s = await setup({ retryMs: 30 });
    await write(s, 'n1', undefined);
    s.replicas[0]!.fail = new StorageUnavailableError('PostgreSQL at replica:5432 is unreachable: ECONNREFUSED');
    s.wal.replayed.set(s.replicas[0], new StorageUnavailableError('ECONNREFUSED'));
    s.act.principal = 'user:b';
    expect(await s.storage.get('Note', 'n1')).toMatchObject({ body: 'n1' });
    expect(s.reads).toEqual(['primary']);
    expect(s.storage.usable()).toBe(0);
    expect(s.storage.status()).toEqual([{ name: 'replica-1', state: 'down' }]);
    // Down: reads go straight to the primary, the replica is not even asked.
    s.replicas[0]!.fail = undefined;
    expect(await readAs(s, 'user:b')).toBe('primary');
    expect(s.replicas[0]!.reads).toBe(0);
    s.wal.replayed.set(s.replicas[0], s.wal.primary);
    await until(() => s.storage.usable() === 1);
    expect(await readAs(s, 'user:b')).toBe('replica');
  });

  it('answers from the primary when a replica read fails otherwise (a table not replayed yet), keeping the replica up', async () => {
    const s = await setup();
    s.replicas[0]!.fail = Object.assign(new Error('relation "note" does not exist'), { code: '42P01' });
    s.primary.rows.set('n1', { id: 'n1' });
    s.act.principal = undefined;
    expect(await s.storage.get('Note', 'n1')).toEqual({ id: 'n1' });
    expect(s.reads).toEqual(['primary']);
    expect(s.storage.usable()).toBe(1);
  });

  it('gives a server that is not a standby no reads', async () => {
    const s = await setup();
    s.wal.replayed.set(s.replicas[0], undefined);
    await until(() => s.storage.usable() === 0);
    expect(s.storage.status()[0]!.state).toBe('not-standby');
    expect(await readAs(s, undefined)).toBe('primary');
  });

  it('takes turns among the replicas that qualify', async () => {
    const s = await setup({ replicas: 2 });
    s.act.principal = undefined;
    for (let i = 0; i < 6; i++) await s.storage.list('Note', { limit: 1 });
    expect(s.replicas.map((r) => r.reads)).toEqual([3, 3]);
    // Only the second has replayed the principal's write: it takes all of the principal's reads.
    await write(s, 'n1', 'user:a');
    s.wal.replayed.set(s.replicas[1], s.wal.primary);
    await until(() => s.storage.status()[1]!.lagBytes === 0);
    for (let i = 0; i < 4; i++) expect(await readAs(s, 'user:a')).toBe('replica');
    expect(s.replicas.map((r) => r.reads)).toEqual([3, 7]);
  });

  it('sends principals\' reads to the primary while positions cannot be looked up or recorded', async () => {
    let failing = false;
    const inner = cacheWritePositions(createMemoryCacheStore({ engine: 'memory', maxEntries: 100 }), { ttlMs: 60 });
    const positions: WritePositions = {
      ttlMs: inner.ttlMs,
      latest: (p) => (failing ? Promise.reject(new Error('redis down')) : inner.latest(p)),
      record: (p, l) => (failing ? Promise.reject(new Error('redis down')) : inner.record(p, l)),
      close: () => inner.close(),
    };
    const s = await setup({ positions });
    failing = true;
    expect(await readAs(s, 'user:a')).toBe('primary');
    expect(await readAs(s, undefined)).toBe('replica');
    // A write whose position is lost: the write stands, every principal reads the primary for the TTL.
    s.act.principal = 'user:a';
    await expect(s.storage.insert('Note', { id: 'n1' })).resolves.toMatchObject({ id: 'n1' });
    failing = false;
    expect(await readAs(s, 'user:z')).toBe('primary');
    await until(async () => (await readAs(s, 'user:z')) === 'replica');
  });

  it("records a signed-up account's position for the account itself", async () => {
    const s = await setup({ routing: { principalsCreatedBy: (entity, row) => (entity === 'User' ? [`user:${String(row.id)}`] : []) } });
    s.act.principal = undefined;
    await s.storage.transaction(async (tx) => { await tx.insert('User', { id: 'u1' }); });
    expect(await readAs(s, 'user:u1')).toBe('primary');
    expect(await readAs(s, 'user:u2')).toBe('replica');
  });

  it('opens a replica that is unreachable at start once it answers', async () => {
    const primary = new FakeStore();
    const replica = new FakeStore();
    const wal = new FakeWal();
    wal.replayed.set(replica, 0n);
    let reachable = false;
    const storage = new ReplicatedStorage(asStorage(primary), {
      replicas: [{ name: 'late', open: async () => { if (!reachable) throw new StorageUnavailableError('ECONNREFUSED'); return asStorage(replica); } }],
      positions: cacheWritePositions(createMemoryCacheStore({ engine: 'memory', maxEntries: 10 })),
      routing: { principal: () => undefined, preferPrimary: () => false },
      wal, pollMs: 5, retryMs: 10, maxRetryMs: 20,
    });
    opened.push(storage);
    await storage.start();
    expect(storage.status()).toEqual([{ name: 'late', state: 'down' }]);
    reachable = true;
    await until(() => storage.usable() === 1);
  });
});

describe('cacheWritePositions', () => {
  it('keeps the latest position of each principal and never moves one back', async () => {
    const positions = cacheWritePositions(createMemoryCacheStore({ engine: 'memory', maxEntries: 100 }));
    await positions.record('user:a', 200n);
    await positions.record('user:a', 150n);
    await positions.record('user:b', 50n);
    expect(await positions.latest('user:a')).toBe(200n);
    expect(await positions.latest('user:b')).toBe(50n);
    expect(await positions.latest('user:c')).toBeUndefined();
  });

  it('forgets a position after its TTL', async () => {
    const positions = cacheWritePositions(createMemoryCacheStore({ engine: 'memory', maxEntries: 100 }), { ttlMs: 20 });
    await positions.record('user:a', 200n);
    await new Promise((r) => setTimeout(r, 40));
    expect(await positions.latest('user:a')).toBeUndefined();
  });

  it('raises every principal to the latest recorded position when the store evicted one', async () => {
    let now = 0;
    const positions = cacheWritePositions(createMemoryCacheStore({ engine: 'memory', maxEntries: 2 }), { ttlMs: 1000, now: () => now });
    await positions.record('user:a', 100n);
    await positions.record('user:b', 200n);
    expect(await positions.latest('user:c')).toBeUndefined();
    await positions.record('user:c', 150n); // evicts user:a's entry
    expect(await positions.latest('user:a')).toBe(200n);
    expect(await positions.latest('user:z')).toBe(200n);
    now = 1001;
    expect(await positions.latest('user:z')).toBeUndefined();
  });

  it('keeps positions in the store under one key per principal, as PostgreSQL prints them', async () => {
    const store: CacheStore = createMemoryCacheStore({ engine: 'memory', maxEntries: 10 });
    await cacheWritePositions(store).record('user:7', 0x16_B374D848n);
    expect(await store.get('rp:user:7')).toBe('16/B374D848');
  });
});
