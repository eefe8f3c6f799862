import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from '../../adapters/cache/memory/memory-cache-store.ts';
import { createStorage } from '../../adapters/storage/create-storage.ts';
import type { Storage } from '../../adapters/storage/storage.ts';
import { wrapCalls } from '../observability/wrap-calls.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { testFieldCipher } from '../test-support/test-field-cipher.ts';
import { cachePolicy } from './cache-policy.ts';
import { cachingStorage } from './caching-storage.ts';
import { GuardedCache } from './guarded-cache.ts';
import { Invalidation } from './invalidation.ts';
import { RecordCache } from './record-cache.ts';

const linkly = await exampleModel('linkly');

let dir: string;
let raw: Storage;
let storage: Storage;
let reads: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'archspec-cache-unit-'));
  raw = await createStorage(linkly, { engine: 'sqlite', url: join(dir, 'db.sqlite'), fieldCipher: testFieldCipher() });
  await raw.migrate();
  reads = [];
  // Counts the database reads by id that reach the engine (inside transactions too).
  const counted = wrapCalls(raw, (call, invoke) => { if (call.operation === 'get') reads.push(call.entity); return invoke(); });
  const metrics = { lookup: () => {}, error: () => {} };
  const guarded = new GuardedCache(createMemoryCacheStore({ engine: 'memory', maxEntries: 100 }), metrics, { warn: () => {} }, { distrustMs: 60_000 });
  storage = cachingStorage(counted, { model: linkly, policy: cachePolicy(linkly), records: new RecordCache(guarded, metrics), invalidation: new Invalidation(linkly, guarded) });
});
afterEach(async () => {
  await raw.close();
  rmSync(dir, { recursive: true, force: true });
});

async function aLink() {
  const owner = await storage.insert('User', { email: `u${Math.random()}@example.com` });
  const link = await storage.insert('Link', { target: 'https://a.example/', owner: owner.id });
  return { owner, code: String(link.code) };
}

describe('cachingStorage', () => {
  it('reads a cached entity once, and only that entity', async () => {
    const { owner, code } = await aLink();
    await storage.get('Link', code);
    await storage.get('Link', code);
    await storage.get('User', String(owner.id));
    await storage.get('User', String(owner.id));
    expect(reads).toEqual(['Link', 'User', 'User']);
  });

  it('invalidates a write made outside a transaction before the write returns', async () => {
    const { code } = await aLink();
    await storage.get('Link', code);
    await storage.update('Link', code, { title: 'new' });
    expect((await storage.get('Link', code))!.title).toBe('new');
  });

  it('reads from the database inside a transaction once it wrote the entity, and invalidates after commit', async () => {
    const { code } = await aLink();
    await storage.get('Link', code);
    await storage.transaction(async (tx) => {
      expect((await tx.get('Link', code))!.title).toBeNull(); // from the cache: nothing written yet
      await tx.update('Link', code, { title: 'in tx' });
      expect((await tx.get('Link', code))!.title).toBe('in tx');
    });
    expect(reads).toEqual(['Link', 'Link']);
    expect((await storage.get('Link', code))!.title).toBe('in tx');
  });

  it('does not cache what a rolled-back transaction read after writing', async () => {
    const { code } = await aLink();
    await expect(storage.transaction(async (tx) => {
      await tx.update('Link', code, { title: 'rolled back' });
      await tx.get('Link', code);
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect((await storage.get('Link', code))!.title).toBeNull();
  });

  it('sends forUpdate and includeDeleted reads to the database', async () => {
    const { code } = await aLink();
    await storage.get('Link', code);
    await storage.transaction((tx) => tx.get('Link', code, { forUpdate: true }));
    await storage.get('Link', code, { includeDeleted: true });
    expect(reads).toEqual(['Link', 'Link', 'Link']);
  });

  it('forgets records a hard delete removed by cascade', async () => {
    const { owner, code } = await aLink();
    expect(await storage.get('Link', code)).toBeDefined();
    expect(await storage.delete('User', String(owner.id))).toBe(true);
    expect(await storage.get('Link', code)).toBeUndefined();
  });

  it('passes everything else through: system tables, the query builder, the engine', async () => {
    expect(storage.engine).toBe('sqlite');
    expect(storage.kysely).toBe(raw.kysely);
    await storage.system.setPasswordHash('u1', 'hash');
    expect(await storage.system.getPasswordHash('u1')).toBe('hash');
    expect(await storage.isMigrated()).toBe(true);
  });
});
