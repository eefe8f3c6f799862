import { describe, expect, it } from 'vitest';
import { exampleModel } from '../../runtime/test-support/example-models.ts';
import { RedisUrlError } from '../redis/redis-url.ts';
import { CACHE_ENGINES, cacheConfigFrom, createCacheStore, DEFAULT_MAX_ENTRIES } from './create-cache-store.ts';

describe('createCacheStore', () => {
  it('has an engine for every name the spec accepts', () => {
    expect(Object.keys(CACHE_ENGINES).sort()).toEqual(['memory', 'redis']);
  });

  it('reads engine and bound from architecture.storage.cache, with defaults when the spec has none', async () => {
    const linkly = await exampleModel('linkly');
    expect(cacheConfigFrom(linkly, {})).toEqual({ engine: 'redis', maxEntries: 100_000 });
    const none = { ...linkly, architecture: { ...linkly.architecture, storage: { ...linkly.architecture.storage, cache: undefined } } };
    expect(cacheConfigFrom(none, {})).toEqual({ engine: 'memory', maxEntries: DEFAULT_MAX_ENTRIES });
  });

  it('selects Redis when REDIS_URL is set, whatever the spec names, with keys in the system\'s namespace', async () => {
    const linkly = await exampleModel('linkly');
    const none = { ...linkly, architecture: { ...linkly.architecture, storage: { ...linkly.architecture.storage, cache: undefined } } };
    expect(cacheConfigFrom(none, { REDIS_URL: ' redis://cache:6379/2 ' })).toEqual({
      engine: 'redis', maxEntries: DEFAULT_MAX_ENTRIES, redisUrl: 'redis://cache:6379/2', keyPrefix: 'archspec:linkly:cache:',
    });
    expect(cacheConfigFrom(linkly, { REDIS_URL: '' }).engine).toBe('redis');
    expect(cacheConfigFrom(linkly, { REDIS_URL: '' }).redisUrl).toBeUndefined();
  });

  it('rejects a malformed REDIS_URL without repeating it (it may hold a password)', async () => {
    const linkly = await exampleModel('linkly');
    for (const bad of ['http://:s3cret@cache:6379', 'not a url s3cret', 'redis://:s3cret@cache:6379/x']) {
      const error = (() => { try { cacheConfigFrom(linkly, { REDIS_URL: bad }); } catch (e) { return e; } })();
      expect(error).toBeInstanceOf(RedisUrlError);
      expect((error as Error).message).not.toContain('s3cret');
    }
  });

  it('runs the memory engine for redis when no Redis URL is given', async () => {
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
