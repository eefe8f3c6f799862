import type { CacheStore } from '../../cache/cache-store.ts';
import { formatLsn, laterLsn, parseLsn, type Lsn } from './lsn.ts';

/**
 * Each principal's latest write, as a WAL position, for read-your-writes across instances: a read
 * by the principal may go to a replica only once the replica has replayed that far.
 */
export interface WritePositions {
  /** How long a recorded position counts, ms: after that long a replica has caught up or is considered down. */
  readonly ttlMs: number;
  /** The position of `principal`'s latest write within the TTL, or undefined when none is recorded. Rejects when the store fails. */
  latest(principal: string): Promise<Lsn | undefined>;
  /** Records that `principal` wrote up to `position` (a position before the recorded one changes nothing). Rejects when the store fails. */
  record(principal: string, position: Lsn): Promise<void>;
  close(): Promise<void>;
}

/** Default {@link WritePositions.ttlMs}: one minute. */
export const DEFAULT_POSITION_TTL_MS = 60_000;

/**
 * {@link WritePositions} on a cache store (Redis when `REDIS_URL` is set, so every instance sees
 * every instance's positions; memory otherwise), one key per principal, `rp:<principal>` holding
 * the position as PostgreSQL prints it, expiring after `ttlMs`.
 *
 * `record` reads the stored position and writes only a later one, so a slow write finishing after a
 * newer one of the same principal does not move the position back (two instances doing this at the
 * same moment can still interleave; the window is one store round trip). A store that evicts
 * entries for space could drop a position before its TTL: the memory engine's evictions are
 * noticed (`evictions()` after each write) and then every principal's position counts as at least
 * the latest this store recorded, until the TTL has passed. Redis must keep these keys: give it a
 * `maxmemory-policy` that does not evict them (see docs/scaling.md).
 *
 * @example
 * const positions = cacheWritePositions(await createCacheStore(config));
 * await positions.record('user:42', parseLsn('0/3016038'));
 */
export function cacheWritePositions(store: CacheStore, options: { ttlMs?: number; closeStore?: boolean; now?: () => number } = {}): WritePositions {
  const ttlMs = options.ttlMs ?? DEFAULT_POSITION_TTL_MS;
  const now = options.now ?? Date.now;
  const key = (principal: string) => `rp:${principal}`;
  let highest: Lsn | undefined;
  let floor: { position: Lsn; until: number } | undefined;
  let evictionsSeen: number | undefined;
  const watchEvictions = store.engine === 'memory';

  const stored = async (principal: string): Promise<Lsn | undefined> => {
    const text = await store.get(key(principal));
    if (text === undefined) return undefined;
    try {
      return parseLsn(text);
    } catch {
      return undefined;
    }
  };
  const currentFloor = () => (floor && floor.until > now() ? floor.position : undefined);

  if (watchEvictions) void store.evictions().then((n) => { evictionsSeen ??= n; }, () => {});

  return {
    ttlMs,
    async latest(principal) {
      return laterLsn(await stored(principal), currentFloor());
    },
    async record(principal, position) {
      highest = highest === undefined || highest < position ? position : highest;
      const previous = await stored(principal);
      if (previous === undefined || previous < position) await store.set(key(principal), formatLsn(position), ttlMs);
      if (!watchEvictions) return;
      const evictions = await store.evictions();
      if (evictionsSeen !== undefined && evictions > evictionsSeen) floor = { position: highest, until: now() + ttlMs };
      evictionsSeen = evictions;
    },
    close: async () => { if (options.closeStore) await store.close(); },
  };
}
