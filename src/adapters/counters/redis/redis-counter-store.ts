import type { Redis } from 'ioredis';
import { NO_WINDOW, type CounterStore, type CounterWindow } from '../counter-store.ts';
import { closeRedis, openRedis, untilReady } from '../../redis/redis-connection.ts';

/** Where counter keys live by default: `archspec:counters:<caller's key>`. */
export const DEFAULT_COUNTER_PREFIX = 'archspec:counters:';

/** Options of {@link createRedisCounterStore}. */
export interface RedisCounterOptions {
  /** The Redis URL (`REDIS_URL`, checked by `redisUrlFrom`). */
  url: string;
  /** Prefix of every key (default {@link DEFAULT_COUNTER_PREFIX}). */
  keyPrefix?: string;
}

/**
 * One hit, atomically: add the cost, and give the key the window's expiry when it has none (the
 * hit that opened the window); answer the count and the milliseconds left. Later hits leave the
 * expiry alone, so the window stays fixed.
 */
const HIT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {count, left}`;

/** The key's count and the milliseconds left, read together. */
const PEEK_SCRIPT = `
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
return {tonumber(count), redis.call('PTTL', KEYS[1])}`;

/** The client with the scripts above defined on it. */
type ScriptedRedis = Redis & {
  archspecCounterHit(key: string, windowMs: number, cost: number): Promise<[number, number]>;
  archspecCounterPeek(key: string): Promise<[number, number]>;
};

/**
 * The Redis counter store: fixed windows shared by every instance, so a limit of 60/min is 60/min
 * for the whole service however many instances serve it. A window is one key
 * (`<prefix><caller's key>`) holding the count, expiring when the window ends (Redis's clock, so
 * instances with skewed clocks agree). Operations reject quickly when Redis is down (see
 * redis-connection.ts); the server wraps this store in a FallbackCounterStore, which then counts
 * in the instance's memory until Redis answers again.
 *
 * @example
 * const counters = await createRedisCounterStore({ url: 'redis://127.0.0.1:6379' });
 * await counters.hit('rl:POST /links:user:42', 60_000); // { count: 1, resetInMs: 60000 }
 */
export async function createRedisCounterStore(options: RedisCounterOptions): Promise<CounterStore> {
  const client = openRedis(options.url, 'archspec-counters') as ScriptedRedis;
  client.defineCommand('archspecCounterHit', { lua: HIT_SCRIPT, numberOfKeys: 1 });
  client.defineCommand('archspecCounterPeek', { lua: PEEK_SCRIPT, numberOfKeys: 1, readOnly: true });
  await untilReady(client);
  return new RedisCounterStore(client, options.keyPrefix ?? DEFAULT_COUNTER_PREFIX);
}

class RedisCounterStore implements CounterStore {
  readonly engine = 'redis';
  readonly local = false;

  constructor(private readonly client: ScriptedRedis, private readonly prefix: string) {}

  async hit(key: string, windowMs: number, cost = 1): Promise<CounterWindow> {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
    if (!Number.isInteger(cost) || cost < 0) throw new RangeError(`cost must be a non-negative integer, got ${cost}`);
    // PEXPIRE takes whole milliseconds.
    const [count, left] = await this.client.archspecCounterHit(this.prefix + key, Math.ceil(windowMs), cost);
    return { count: Number(count), resetInMs: Number(left) };
  }

  async peek(key: string): Promise<CounterWindow> {
    const [count, left] = await this.client.archspecCounterPeek(this.prefix + key);
    // Absent ({0, 0} from the script), or a key without expiry (not written by hit): no open window.
    if (Number(left) <= 0) return { ...NO_WINDOW };
    return { count: Number(count), resetInMs: Number(left) };
  }

  async reset(key: string): Promise<void> {
    await this.client.del(this.prefix + key);
  }

  close(): Promise<void> {
    return closeRedis(this.client);
  }
}
