import type { Entity } from '../../model/system-model.ts';
import type { Row } from '../../adapters/storage/storage.ts';
import { recordKey, recordTag, referrerTag } from './cache-keys.ts';
import type { CacheMetrics } from './cache-metrics.ts';
import type { GuardedCache } from './guarded-cache.ts';
import { SingleFlight } from './single-flight.ts';
import { asCacheFill } from './cache-fill.ts';

/** How one record read may use the cache. */
export interface RecordReadOptions {
  /** The oldest entry this read accepts, and the TTL of the entry it stores. */
  ttlMs: number;
  /** The read runs inside a transaction (its load uses the transaction's connection). */
  inTransaction: boolean;
  /** Skip the lookup (the request sent `Cache-Control: no-cache`); the fresh record is still stored. */
  refresh?: boolean;
  /** Store nothing (the request sent `Cache-Control: no-store`). */
  noStore?: boolean;
}

/** A stored record entry: the tag versions it was read under, when, and the record (null: absent). */
interface RecordEntry {
  v: string[];
  at: number;
  row: Row | null;
}

/**
 * Read-through caching of records by entity and id (the same entry for every caller: field
 * visibility is applied afterwards by the presenters). An entry is served only while the versions
 * of its record's tags are the ones it was read under (a committed write bumps them) and it is no
 * older than the reading TTL. Absent records are cached too (as null), so a flood of unknown ids
 * costs one read each per TTL; creating the record bumps its tag. Concurrent misses of one record
 * share one load. Every caller gets its own copy of the record.
 */
export class RecordCache {
  private readonly flights = new SingleFlight<string, { inTransaction: boolean }>();

  constructor(private readonly cache: GuardedCache, private readonly metrics: CacheMetrics) {}

  /** The record `load` would return, from the cache when a valid entry exists. */
  async get(entity: Entity, id: string | number, load: () => Promise<Row | undefined>, options: RecordReadOptions): Promise<Row | undefined> {
    const key = recordKey(entity, id);
    const startedAt = this.cache.clock();
    const [stored, versions] = await Promise.all([
      options.refresh ? undefined : this.cache.get(key),
      this.cache.versions([recordTag(entity, id), referrerTag(entity.name)]),
    ]);
    if (stored !== undefined && versions && this.cache.trusts(startedAt)) {
      const entry = parseEntry(stored);
      if (entry && sameVersions(entry.v, versions) && this.cache.clock() - entry.at <= options.ttlMs) {
        this.metrics.lookup('record', 'hit');
        return entry.row ?? undefined;
      }
    }
    this.metrics.lookup('record', 'miss');
    // Without versions nothing can be stored safely: read the database and move on.
    if (!versions || !this.cache.trusts(startedAt) || options.noStore) return load();
    const text = await this.flights.run(`${key}|${versions.join(',')}`, async () => {
      // A fill reads the primary (see cache-fill.ts): an entry filled from a lagging replica would outlive the lag.
      const row = await asCacheFill(load);
      const entry = JSON.stringify({ v: versions, at: this.cache.clock(), row: row ?? null } satisfies RecordEntry);
      if (this.cache.trusts(startedAt)) await this.cache.set(key, entry, options.ttlMs);
      return entry;
    }, {
      meta: { inTransaction: options.inTransaction },
      // A transaction waits only for loads running in another transaction: a load outside one may
      // need the connection this transaction holds (SQLite's only one, or the last of a pool).
      accept: (flight) => !options.inTransaction || flight.inTransaction,
    });
    return (JSON.parse(text) as RecordEntry).row ?? undefined;
  }
}

function parseEntry(text: string): RecordEntry | undefined {
  try {
    const entry = JSON.parse(text) as RecordEntry;
    return Array.isArray(entry?.v) && typeof entry.at === 'number' ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an entry's versions are the current ones. */
export function sameVersions(stored: readonly string[], current: readonly string[]): boolean {
  return stored.length === current.length && stored.every((v, i) => v === current[i]);
}
