import { Redis } from 'ioredis';

/**
 * The Redis connection of the Redis engines (cache store, counter store; `REDIS_URL`, see
 * redis-url.ts): a client tuned to fail fast. A request must never wait on Redis: when Redis is
 * down every command rejects at once (no offline queue), a command a hung server never answers
 * rejects after {@link REDIS_COMMAND_TIMEOUT_MS}, and the client keeps reconnecting in the
 * background, so the engines work again as soon as Redis is back. Callers turn rejections into
 * misses (cache) or local counting (counters).
 */

/** A command without an answer after this long rejects ("Command timed out"). */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** A connection attempt that has not completed after this long is abandoned (and retried). */
export const REDIS_CONNECT_TIMEOUT_MS = 1_000;
/** Longest pause between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * A fail-fast client for `url` (see the module comment), connecting in the background. Connection
 * errors are swallowed here: the client retries by itself, and every command that fails meanwhile
 * is reported by whoever issued it (an unhandled `error` event would otherwise be logged by ioredis).
 *
 * @example
 * const redis = openRedis(redisUrlFrom(process.env)!, 'archspec-cache');
 * await untilReady(redis); // optional: a first command right after opening would otherwise miss
 */
export function openRedis(url: string, connectionName: string): Redis {
  const client = new Redis(url, {
    connectionName,
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    // No command waits across a reconnection: it fails, and the caller falls back.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  });
  client.on('error', () => {});
  return client;
}

/**
 * Resolves when `client` is ready, or when connecting failed once, or after `timeoutMs`: never
 * rejects, so a server starts while Redis is down (its engines then fail fast until it is back).
 */
export function untilReady(client: Redis, timeoutMs = REDIS_CONNECT_TIMEOUT_MS): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done).off('error', done).off('end', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done).once('error', done).once('end', done);
  });
}

/** Closes `client`: QUIT when connected (pending replies arrive first), at once otherwise. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection broke while quitting.
    }
  }
  client.disconnect();
}
