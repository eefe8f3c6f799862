import { describe, expect, it } from 'vitest';
import { exampleModel } from '../../runtime/test-support/example-models.ts';
import { CACHE_ENGINES, cacheConfigFrom, createCacheStore, DEFAULT_MAX_ENTRIES } from './create-cache-store.ts';

describe('createCacheStore', () => {
  it('has an engine for every name the spec accepts', () => {
    expect(Object.keys(CACHE_ENGINES).sort()).toEqual(['memory', 'redis']);
  });

  it('reads engine and bound from architecture.storage.cache, with defaults when the spec has none', async () => {
    const linkly = await exampleModel('linkly');
    expect(cacheConfigFrom(linkly)).toEqual({ engine: 'redis', maxEntries: 100_000 });
    const none = { ...linkly, architecture: { ...linkly.architecture, storage: { ...linkly.architecture.storage, cache: undefined } } };
    expect(cacheConfigFrom(none)).toEqual({ engine: 'memory', maxEntries: DEFAULT_MAX_ENTRIES });
  });

  it('runs the memory engine for redis until the Redis engine arrives', async () => {
    const store = await createCacheStore({ engine: 'redis', maxEntries: 10 });
    expect(store.engine).toBe('memory');
    await store.set('k', 'v', 1000);
    expect(await store.get('k')).toBe('v');
    await store.close();
  });

  it('names the engines it knows when asked for another', () => {
    expect(() => createCacheStore({ engine: 'memcached' as never, maxEntries: 10 })).toThrow(/memory, redis/);
  });
});
