/**
 * The proxy behind storage instrumentation (metrics and tracing): every method call of a storage
 * object goes through `around`, including calls on its `system` store and on the transaction
 * object handed to `transaction(fn)`, so work done inside a transaction is observed too.
 */

/** What a storage call is about: the method (`insert`, `system.findApiKey`) and the entity, when the call names one. */
export interface StorageCall {
  operation: string;
  /** The entity name for record operations (`insert('Link', ...)`); '' otherwise. */
  entity: string;
}

/** Runs `invoke` (the real call) and returns its result; may time it, trace it, count its errors. */
export type AroundCall = (call: StorageCall, invoke: () => unknown) => unknown;

/** Methods whose first argument is an entity name. */
const RECORD_OPERATIONS = new Set(['insert', 'get', 'getMany', 'list', 'update', 'delete']);
/** Properties holding a nested store whose methods are wrapped too, with this prefix. */
const NESTED_STORES = new Set(['system']);

/**
 * Wraps `target` in a Proxy calling `around` for each method call. Methods run with the original
 * object as `this` (engines may use private fields); wrapped functions are cached per property so
 * a hot path pays one Map lookup. Non-function properties (`engine`) pass through unchanged.
 *
 * @example
 * const timed = wrapCalls(storage, (call, invoke) => { const t = Date.now(); try { return invoke(); } finally { log(call, Date.now() - t); } });
 */
export function wrapCalls<T extends object>(target: T, around: AroundCall, prefix = ''): T {
  const cache = new Map<string, { source: unknown; wrapped: unknown }>();
  return new Proxy(target, {
    get(obj, key) {
      const value: unknown = Reflect.get(obj, key);
      if (typeof key !== 'string') return value;
      const cached = cache.get(key);
      if (cached && cached.source === value) return cached.wrapped;
      let wrapped: unknown;
      if (typeof value === 'function') wrapped = wrapMethod(obj, key, value as (...args: unknown[]) => unknown, around, prefix);
      else if (NESTED_STORES.has(key) && value !== null && typeof value === 'object') wrapped = wrapCalls(value, around, `${prefix}${key}.`);
      else return value;
      cache.set(key, { source: value, wrapped });
      return wrapped;
    },
  });
}

function wrapMethod(obj: object, key: string, method: (...args: unknown[]) => unknown, around: AroundCall, prefix: string) {
  const operation = `${prefix}${key}`;
  return (...args: unknown[]): unknown => {
    const entity = RECORD_OPERATIONS.has(key) && typeof args[0] === 'string' ? args[0] : '';
    if (key === 'transaction' && typeof args[0] === 'function') {
      const fn = args[0] as (tx: object) => unknown;
      // The transaction object the engine creates is wrapped too, so its calls are observed.
      args = [(tx: object) => fn(wrapCalls(tx, around)), ...args.slice(1)];
    }
    return around({ operation, entity }, () => method.apply(obj, args));
  };
}
