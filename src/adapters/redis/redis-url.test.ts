import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveServeConfig } from '../../runtime/config.ts';
import { exampleModel } from '../../runtime/test-support/example-models.ts';
import { counterStoreConfigFrom } from '../counters/create-counter-store.ts';
import { redisNamespaceFrom, redisUrlFrom, RedisUrlError } from './redis-url.ts';

describe('REDIS_URL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'archspec-redis-url-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is optional: unset or blank selects no Redis', () => {
    expect(redisUrlFrom({})).toBeUndefined();
    expect(redisUrlFrom({ REDIS_URL: '  ' })).toBeUndefined();
    expect(counterStoreConfigFrom({ REDIS_URL: '' })).toEqual({ engine: 'memory' });
  });

  it('accepts redis:// and rediss:// URLs with credentials and a database number', () => {
    for (const url of ['redis://127.0.0.1:6379', 'redis://:pw@cache', 'rediss://user:pw@cache.example:6380/3', 'redis://[::1]:6379/0']) {
      expect(redisUrlFrom({ REDIS_URL: url })).toBe(url);
    }
  });

  it('rejects anything else with a message that does not repeat the URL (it may hold a password)', () => {
    for (const url of ['cache:6379', 'http://:s3cret@cache', 'redis://:s3cret@cache/zero', 'redis://:s3cret@cache:99999']) {
      const error = (() => { try { redisUrlFrom({ REDIS_URL: url }); } catch (e) { return e; } })();
      expect(error, url).toBeInstanceOf(RedisUrlError);
      expect((error as RedisUrlError).message).not.toContain('s3cret');
      expect((error as RedisUrlError).hint).toContain('redis://');
    }
  });

  it('fails `archspec serve` at start with one ConfigError naming the variable', async () => {
    const model = await exampleModel('linkly');
    const env = { ARCHSPEC_DATA_DIR: dataDir, REDIS_URL: 'http://cache:6379' };
    expect(() => resolveServeConfig(model, 'x.yaml', {}, env, true)).toThrow(ConfigError);
    expect(() => resolveServeConfig(model, 'x.yaml', {}, env, true)).toThrow(/^REDIS_URL has scheme "http:"; expected redis: or rediss:$/);
    expect(() => resolveServeConfig(model, 'x.yaml', {}, { ...env, REDIS_URL: 'redis://cache:6379' }, true)).not.toThrow();
  });

  it('keys each service in its own namespace, unless ARCHSPEC_REDIS_PREFIX names one', () => {
    expect(redisNamespaceFrom({}, 'Linkly')).toBe('archspec:linkly:');
    expect(redisNamespaceFrom({}, 'Till Point (EU)')).toBe('archspec:till-point-eu:');
    expect(redisNamespaceFrom({ ARCHSPEC_REDIS_PREFIX: 'staging:' }, 'Linkly')).toBe('staging:');
    expect(counterStoreConfigFrom({ REDIS_URL: 'redis://cache' }, 'Linkly')).toEqual({ engine: 'redis', url: 'redis://cache', keyPrefix: 'archspec:linkly:counters:' });
  });
});
