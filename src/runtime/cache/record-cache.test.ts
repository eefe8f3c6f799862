import { describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from '../../adapters/cache/memory/memory-cache-store.ts';
import type { Row } from '../../adapters/storage/storage.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { recordTag } from './cache-keys.ts';
import type { CacheKind } from './cache-metrics.ts';
import { GuardedCache } from './guarded-cache.ts';
import { RecordCache } from './record-cache.ts';

const linkly = await exampleModel('linkly');
const Link = linkly.entities.find((e) => e.name === 'Link')!;

function setup() {
  let now = 1_000_000;
  const counted: string[] = [];
  const metrics = { lookup: (cache: CacheKind, result: string) => counted.push(`${cache}:${result}`), error: () => {} };
  const cache = new GuardedCache(createMemoryCacheStore({ engine: 'memory', maxEntries: 100 }), metrics, { warn: () => {} }, { distrustMs: 60_000, now: () => now });
  return { records: new RecordCache(cache, metrics), cache, counted, advance: (ms: number) => { now += ms; } };
}

const options = { ttlMs: 60_000, inTransaction: false };

describe('RecordCache', () => {
  it('reads through: the first read loads, the next ones are hits with their own copy', async () => {
    const { records, counted } = setup();
    let loads = 0;
    const load = async (): Promise<Row> => { loads++; return { code: 'abc', target: 'https://a.example/', version: 1 }; };
    const first = await records.get(Link, 'abc', load, options);
    const second = await records.get(Link, 'abc', load, options);
    expect(second).toEqual(first);
    second!.target = 'mutated by a caller';
    expect((await records.get(Link, 'abc', load, options))!.target).toBe('https://a.example/');
    expect(loads).toBe(1);
    expect(counted).toEqual(['record:miss', 'record:hit', 'record:hit']);
  });

  it('caches an absent record until its tag is bumped (created)', async () => {
    const { records, cache } = setup();
    let stored: Row | undefined;
    let loads = 0;
    const load = async () => { loads++; return stored; };
    expect(await records.get(Link, 'new', load, options)).toBeUndefined();
    expect(await records.get(Link, 'new', load, options)).toBeUndefined();
    stored = { code: 'new', version: 1 };
    await cache.bump([recordTag(Link, 'new')]);
    expect(await records.get(Link, 'new', load, options)).toEqual(stored);
    expect(loads).toBe(2);
  });

  it('never serves a record loaded before a write committed during the load', async () => {
    const { records, cache } = setup();
    let target = 'old';
    let release!: () => void;
    const slow = async (): Promise<Row> => {
      const seen = target;
      await new Promise<void>((resolve) => { release = resolve; });
      return { code: 'abc', target: seen };
    };
    const reading = records.get(Link, 'abc', slow, options);
    await new Promise((resolve) => setImmediate(resolve));
    target = 'new';
    await cache.bump([recordTag(Link, 'abc')]); // the write commits while the old value is in flight
    release();
    expect((await reading)!.target).toBe('old');
    expect((await records.get(Link, 'abc', async () => ({ code: 'abc', target }), options))!.target).toBe('new');
  });

  it('accepts an entry only as old as the reading TTL allows', async () => {
    const { records, advance } = setup();
    let loads = 0;
    const load = async (): Promise<Row> => ({ code: 'abc', n: ++loads });
    await records.get(Link, 'abc', load, { ...options, ttlMs: 60_000 });
    advance(20_000);
    expect(await records.get(Link, 'abc', load, { ...options, ttlMs: 60_000 })).toEqual({ code: 'abc', n: 1 });
    expect(await records.get(Link, 'abc', load, { ...options, ttlMs: 10_000 })).toEqual({ code: 'abc', n: 2 });
  });

  it('shares one load among concurrent misses', async () => {
    const { records } = setup();
    let loads = 0;
    const load = async (): Promise<Row> => { loads++; await new Promise((r) => setTimeout(r, 10)); return { code: 'hot' }; };
    const rows = await Promise.all(Array.from({ length: 10 }, () => records.get(Link, 'hot', load, options)));
    expect(rows).toEqual(Array(10).fill({ code: 'hot' }));
    expect(loads).toBe(1);
  });

  it('refreshes on request: the lookup is skipped and the fresh record stored', async () => {
    const { records } = setup();
    let n = 0;
    const load = async (): Promise<Row> => ({ code: 'abc', n: ++n });
    await records.get(Link, 'abc', load, options);
    expect(await records.get(Link, 'abc', load, { ...options, refresh: true })).toEqual({ code: 'abc', n: 2 });
    expect(await records.get(Link, 'abc', load, options)).toEqual({ code: 'abc', n: 2 });
  });
});
