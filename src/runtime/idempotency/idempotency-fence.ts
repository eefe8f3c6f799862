import type { Row, Storage, Transaction } from '../../adapters/storage/storage.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import { fastifyUrl } from '../authorization.ts';
import { currentWork } from '../request-context.ts';
import type { IdempotencyStore, KeyClaim } from './idempotency-store.ts';

const WRITES = new Set(['insert', 'update', 'delete']);

/** Thrown inside a write transaction whose key was taken over: the transaction rolls back and the client is told to retry. */
function takenOver(): ApiError {
  return new ApiError('idempotency_key_in_flight', 'another request with this Idempotency-Key took over while this one ran, and its outcome is the one kept; retry with the same key and body to get it', { retryAfterSeconds: 1 });
}

/**
 * `storage` whose write transactions fence the request's Idempotency-Key: while a request that
 * claimed a key is served (read from the request context), each of its transactions marks the key
 * `committed` as its last statement (IdempotencyStore.fence) and rolls back when the key was taken
 * over meanwhile; its auto-commit writes run in such a transaction too. So a key's writes commit
 * at most once, and a crash after the commit leaves a key that is never run again. For generated
 * create endpoints the fence also records the created record's URL, which a repeat gets when the
 * answer itself was lost. Other work passes through untouched.
 *
 * @example
 * storage = withIdempotencyFence(storage, model, store);
 */
export function withIdempotencyFence(storage: Storage, model: SystemModel, store: IdempotencyStore): Storage {
  // The record URL of each generated create endpoint's entity (the Location its 201 carries).
  const createdUrl = new Map<string, { entity: string; idField: string; url: string }>();
  for (const endpoint of model.api.endpoints) {
    if (endpoint.operation !== 'create' || !endpoint.entity) continue;
    const get = model.api.endpoints.find((e) => e.operation === 'get' && e.entity === endpoint.entity && e.pathParams.length === 1);
    const entity = model.entities.find((e) => e.name === endpoint.entity);
    if (get && entity) createdUrl.set(endpoint.key, { entity: entity.name, idField: entity.id.field, url: fastifyUrl(model, get.route) });
  }
  const claimed = (): { claim: KeyClaim; endpoint?: string } | undefined => {
    const work = currentWork();
    if (!work?.idempotencyClaim) return undefined;
    const endpoint = work.request?.routeOptions.config.endpoint;
    return { claim: work.idempotencyClaim, ...(endpoint !== undefined ? { endpoint: String(endpoint) } : {}) };
  };

  const fencedTransaction = <T>(fn: (tx: Transaction) => Promise<T>, held: { claim: KeyClaim; endpoint?: string }): Promise<T> =>
    storage.transaction(async (tx) => {
      const created = held.endpoint === undefined ? undefined : createdUrl.get(held.endpoint);
      let location: string | undefined;
      const watched = created ? new Proxy(tx, {
        get(target, key) {
          const value = Reflect.get(target, key);
          if (key !== 'insert' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
          return async (name: string, values: Row) => {
            const row = await (value as Transaction['insert']).call(target, name, values);
            if (name === created.entity && location === undefined) location = created.url.replace(/:[^/]+$/, () => encodeURIComponent(String(row[created.idField])));
            return row;
          };
        },
      }) : tx;
      const result = await fn(watched);
      if (!(await store.fence(tx.kysely, held.claim, location))) throw takenOver();
      return result;
    });

  return new Proxy(storage, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      if (key === 'transaction') {
        return <T>(fn: (tx: Transaction) => Promise<T>) => {
          const held = claimed();
          return held ? fencedTransaction(fn, held) : target.transaction(fn);
        };
      }
      if (typeof key === 'string' && WRITES.has(key)) {
        return (...args: unknown[]) => {
          const held = claimed();
          if (!held) return value.apply(target, args);
          return fencedTransaction((tx) => (Reflect.get(tx, key) as (...a: unknown[]) => Promise<unknown>).apply(tx, args), held);
        };
      }
      return value.bind(target);
    },
  });
}
