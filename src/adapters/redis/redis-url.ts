/**
 * Where Redis is: `REDIS_URL`, read and checked without loading the Redis client (the engines that
 * use it are imported only when it is set).
 */

/** `REDIS_URL` is set but is not a Redis URL; `hint` says what is expected. */
export class RedisUrlError extends Error {
  readonly code = 'config_invalid';
  readonly hint = 'set REDIS_URL to redis://[[user]:password@]host[:port][/db] (rediss:// for TLS), or unset it to keep the cache and rate limits in memory';
  constructor(message: string) {
    super(message);
    this.name = 'RedisUrlError';
  }
}

/**
 * The Redis URL the environment names (`REDIS_URL`), or undefined when it is unset or blank (the
 * in-process engines then run). The message of a malformed one never repeats it: it may hold a password.
 *
 * @throws RedisUrlError when `REDIS_URL` is not a `redis://` or `rediss://` URL with a host and an optional database number.
 * @example
 * redisUrlFrom({ REDIS_URL: 'redis://cache:6379/0' }) // 'redis://cache:6379/0'
 * redisUrlFrom({}) // undefined
 */
export function redisUrlFrom(env: Record<string, string | undefined>): string | undefined {
  const text = env.REDIS_URL?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisUrlError('REDIS_URL is not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new RedisUrlError(`REDIS_URL has scheme "${url.protocol.slice(0, 20)}"; expected redis: or rediss:`);
  if (!url.hostname) throw new RedisUrlError('REDIS_URL names no host');
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) throw new RedisUrlError('REDIS_URL\'s path is not a database number (e.g. /0)');
  return text;
}

/**
 * The prefix of every Redis key a service writes: `ARCHSPEC_REDIS_PREFIX` when set, otherwise
 * `archspec:<system name>:` (lower-case, other characters as `-`), so services sharing one Redis
 * keep their cache entries, tags and counters apart. Two deployments of the same system on one
 * Redis (staging and production) need their own prefix, or their own database (`/1` in the URL).
 *
 * @example
 * redisNamespaceFrom({}, 'Linkly') // 'archspec:linkly:'
 * redisNamespaceFrom({ ARCHSPEC_REDIS_PREFIX: 'staging:linkly:' }, 'Linkly') // 'staging:linkly:'
 */
export function redisNamespaceFrom(env: Record<string, string | undefined>, systemName: string): string {
  const given = env.ARCHSPEC_REDIS_PREFIX?.trim();
  if (given) return given;
  return `archspec:${systemName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'service'}:`;
}
