import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../create-storage.ts';
import type { Storage } from '../storage.ts';
import { createMemoryCacheStore } from '../../cache/memory/memory-cache-store.ts';
import { storageTestModel } from '../../../../test/conformance/storage-test-model.ts';
import { replicaPairSupport, startReplicaPair, type ReplicaPair } from '../../../../test/support/replica-pair.ts';
import { ReplicatedStorage, type ReadTarget } from './replicated-storage.ts';
import { cacheWritePositions } from './write-positions.ts';

// A real primary and a streaming standby applying each commit one second late.
const support = await replicaPairSupport();

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!support.bin)(`ReplicatedStorage on a streaming standby (${support.reason})`, () => {
  const model = storageTestModel();
  let pair: ReplicaPair;
  let primary: Storage;
  let storage: ReplicatedStorage;
  let principal: string | undefined;
  const reads: ReadTarget[] = [];
  /** Where the reads made by `fn` went. */
  const targetsOf = async <T>(fn: () => Promise<T>): Promise<{ value: T; targets: ReadTarget[] }> => {
    const from = reads.length;
    const value = await fn();
    return { value, targets: reads.slice(from) };
  };

  beforeAll(async () => {
    pair = await startReplicaPair(support.bin!, { applyDelayMs: 1000 });
    process.stderr.write(`replica pair ready in ${pair.setupMs} ms\n`);
    primary = await createStorage(model, { engine: 'postgres', url: pair.primaryUrl, poolSize: 4 });
    await primary.migrate();
    storage = new ReplicatedStorage(primary, {
      replicas: [{ name: 'standby', open: () => createStorage(model, { engine: 'postgres', url: pair.replicaUrl, poolSize: 4 }) }],
      positions: cacheWritePositions(createMemoryCacheStore({ engine: 'memory', maxEntries: 1000 }), { ttlMs: 30_000 }),
      routing: { principal: () => principal, preferPrimary: () => false },
      onRead: (target) => reads.push(target),
      pollMs: 100, retryMs: 200, maxRetryMs: 400,
    });
    await storage.start();
  });

  afterAll(async () => {
    await storage?.close();
    await pair?.stop();
  });

  it('answers from the primary while the standby has not replayed the migration yet', async () => {
    principal = undefined;
    expect(storage.usable()).toBe(1);
    // The tables exist on the primary; the standby applies their creation a second later.
    const { value, targets } = await targetsOf(() => storage.list('Category', { limit: 10 }));
    expect(value.items).toEqual([]);
    expect(targets).toEqual(['primary']);
  });

  it("routes a writer's reads to the primary until the standby has replayed the write, and others' reads to the standby", async () => {
    await until(async () => (await targetsOf(() => storage.list('Category', { limit: 1 }))).targets[0] === 'replica');
    principal = 'user:a';
    await storage.insert('Category', { code: 'books', title: 'Books' });
    const own = await targetsOf(async () => [await storage.get('Category', 'books'), await storage.list('Category', { limit: 10 })] as const);
    expect(own.value[0]?.title).toBe('Books');
    expect(own.value[1].items.map((c) => c.code)).toEqual(['books']);
    expect(own.targets).toEqual(['primary', 'primary']);

    principal = 'user:b';
    const other = await targetsOf(() => storage.get('Category', 'books'));
    expect(other.value).toBeUndefined(); // the standby is a second behind: proof the read went there
    expect(other.targets).toEqual(['replica']);

    // Once the polled replay position passes the recorded one, the writer reads the standby too, and sees its write there.
    principal = 'user:a';
    await until(async () => (await targetsOf(() => storage.get('Category', 'books'))).targets[0] === 'replica');
    const later = await targetsOf(() => storage.getMany('Category', ['books']));
    expect(later.value.map((c) => c.title)).toEqual(['Books']);
    expect(later.targets).toEqual(['replica']);
    principal = 'user:b';
    expect((await storage.get('Category', 'books'))?.title).toBe('Books');
  });

  it('records positions after transactions and updates too', async () => {
    principal = 'user:c';
    await until(async () => (await targetsOf(() => storage.get('Category', 'books'))).targets[0] === 'replica');
    await storage.transaction(async (tx) => { await tx.update('Category', 'books', { title: 'Books and more' }); });
    const own = await targetsOf(() => storage.get('Category', 'books'));
    expect(own).toEqual({ value: expect.objectContaining({ title: 'Books and more' }), targets: ['primary'] });
    principal = 'user:d';
    expect((await storage.get('Category', 'books'))?.title).toBe('Books');
  });

  it('answers from the primary while the standby is stopped, and uses it again once it is back', async () => {
    principal = undefined;
    await pair.stopReplica();
    for (let i = 0; i < 5; i++) {
      const { value, targets } = await targetsOf(() => storage.get('Category', 'books'));
      expect(value?.code).toBe('books');
      expect(targets).toEqual(['primary']);
    }
    expect(storage.usable()).toBe(0);
    expect(storage.status()).toEqual([{ name: 'standby', state: 'down' }]);
    await pair.startReplica();
    await until(() => storage.usable() === 1);
    await until(async () => (await targetsOf(() => storage.get('Category', 'books'))).targets[0] === 'replica');
    expect(storage.status()[0]).toMatchObject({ name: 'standby', state: 'up', lagBytes: expect.any(Number) });
  });
});
