import type { SystemModel } from '../../model/system-model.ts';
import { entityOf, type ListQuery, type Row, type Storage, type Transaction, type WriteConflict } from '../../adapters/storage/storage.ts';
import type { CachePolicy } from './cache-policy.ts';
import type { Invalidation, Write } from './invalidation.ts';
import type { RecordCache } from './record-cache.ts';
import { currentRequest, noteRead, noteWrite, requestedFreshness } from './request-activity.ts';

/** What {@link cachingStorage} works with. */
export interface CachingStorageDeps {
  model: SystemModel;
  policy: CachePolicy;
  records: RecordCache;
  invalidation: Invalidation;
}

type GetOptions = { includeDeleted?: boolean; forUpdate?: boolean };

/**
 * The storage as the rest of the runtime sees it when the spec caches anything. It wraps the data
 * policies' storage, and whatever wraps it passes writes through, so every write (generated
 * endpoints, handlers, consumers, jobs, data policies) reaches it.
 *
 * - **Writes** are collected per transaction and invalidated after it commits (a rolled-back
 *   transaction changed nothing); a write outside a transaction is invalidated when it returns.
 *   Either way the caller continues only after invalidation, so it reads its own writes.
 * - **Record reads** (`get` by id) of cached entities are read-through (see RecordCache), with the
 *   entity's TTL, or, while serving a GET endpoint that declares `emits`, that endpoint's TTL (the
 *   shorter when both). `forUpdate` and `includeDeleted` reads, and reads of an entity the
 *   transaction already wrote, go to the database (they must see the transaction's own state).
 * - **Every read** is noted for the response cache (an answer is tagged with what it read).
 *
 * @example
 * storage = cachingStorage(storage, { model, policy, records, invalidation });
 */
export function cachingStorage(storage: Storage, deps: CachingStorageDeps): Storage {
  const reads = recordReads(deps);
  const committed = (write: Write) => deps.invalidation.committed([write]);
  const overrides: Partial<Storage> = {
    get: (entity, id, options) => reads(entity, id, options, (o) => storage.get(entity, id, o), undefined),
    getMany: (entity, ids) => { noteRead(entity); return storage.getMany(entity, ids); },
    list: (entity, query: ListQuery) => { noteRead(entity); return storage.list(entity, query); },
    insert: async (entity, values) => {
      const row = await storage.insert(entity, values);
      noteWrite();
      await committed({ entity, id: row[entityOf(deps.model, entity).id.field], deleted: false });
      return row;
    },
    update: async (entity, id, patch, options) => {
      const result = await storage.update(entity, id, patch, options);
      if (changed(result)) { noteWrite(); await committed({ entity, id, deleted: false }); }
      return result;
    },
    delete: async (entity, id, options) => {
      const result = await storage.delete(entity, id, options);
      if (result === true) { noteWrite(); await committed({ entity, id, deleted: true }); }
      return result;
    },
    transaction: async (fn) => {
      const writes: Write[] = [];
      const result = await storage.transaction((tx) => fn(transactionView(tx, writes, reads, deps.model)));
      if (writes.length) await deps.invalidation.committed(writes);
      return result;
    },
  };
  return delegate(storage, overrides);
}

/** A `get` that goes through the record cache when it may: (entity, id, options, load, written-in-this-transaction). */
type RecordReads = (entity: string, id: string | number, options: GetOptions | undefined, load: (options?: GetOptions) => Promise<Row | undefined>, written: Set<string> | undefined) => Promise<Row | undefined>;

function recordReads(deps: CachingStorageDeps): RecordReads {
  return async (entity, id, options, load, written) => {
    noteRead(entity);
    const request = currentRequest();
    const ttlMs = recordTtl(deps.policy, entity, request?.routeOptions.config.endpoint);
    if (ttlMs === undefined || options?.forUpdate || options?.includeDeleted || written?.has(entity)) return load(options);
    const freshness = requestedFreshness(request);
    return deps.records.get(entityOf(deps.model, entity), id, () => load(options), {
      ttlMs, inTransaction: written !== undefined, refresh: freshness.noCache, noStore: freshness.noStore,
    });
  };
}

/** The TTL of a record read of `entity` while serving `endpoint` (see {@link cachingStorage}). */
export function recordTtl(policy: CachePolicy, entity: string, endpoint: string | undefined): number | undefined {
  if (!policy.holds(entity)) return undefined;
  const own = policy.entityTtl(entity);
  const serving = endpoint === undefined ? undefined : policy.handlerReadTtl(endpoint);
  if (serving === undefined) return own;
  return own === undefined ? serving : Math.min(own, serving);
}

/** The transaction object a wrapped `transaction(fn)` hands `fn`: same calls, writes collected into `writes`. */
function transactionView(tx: Transaction, writes: Write[], reads: RecordReads, model: SystemModel): Transaction {
  const written = new Set<string>();
  const wrote = (write: Write) => { writes.push(write); written.add(write.entity); noteWrite(); };
  const overrides: Partial<Transaction> = {
    get: (entity, id, options) => reads(entity, id, options, (o) => tx.get(entity, id, o), written),
    getMany: (entity, ids) => { noteRead(entity); return tx.getMany(entity, ids); },
    list: (entity, query) => { noteRead(entity); return tx.list(entity, query); },
    insert: async (entity, values) => {
      // Noted before the call: a failed insert may still have changed the transaction's view.
      written.add(entity);
      const row = await tx.insert(entity, values);
      wrote({ entity, id: row[entityOf(model, entity).id.field], deleted: false });
      return row;
    },
    update: async (entity, id, patch, options) => {
      written.add(entity);
      const result = await tx.update(entity, id, patch, options);
      if (changed(result)) wrote({ entity, id, deleted: false });
      return result;
    },
    delete: async (entity, id, options) => {
      written.add(entity);
      const result = await tx.delete(entity, id, options);
      if (result === true) wrote({ entity, id, deleted: true });
      return result;
    },
  };
  return delegate(tx, overrides);
}

/** Whether an update changed a record (a record always has `version`; a conflict report never does). */
function changed(result: Row | WriteConflict | undefined): boolean {
  return result !== undefined && 'version' in result;
}

/**
 * `target` with some methods replaced; every other property is the target's own (methods bound to
 * it, so engines keep their private state), including nested stores such as `system` and `kysely`.
 */
function delegate<T extends object>(target: T, overrides: Partial<T>): T {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(obj, key) {
      if (Object.prototype.hasOwnProperty.call(overrides, key)) return (overrides as Record<PropertyKey, unknown>)[key];
      const value: unknown = Reflect.get(obj, key);
      if (typeof value !== 'function') return value;
      let fn = bound.get(key);
      if (!fn) bound.set(key, (fn = (value as (...args: unknown[]) => unknown).bind(obj)));
      return fn;
    },
  });
}
