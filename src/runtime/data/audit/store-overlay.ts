/**
 * A Proxy that answers some properties of an object itself and passes every other one through, so
 * a storage wrapper replaces the few methods it cares about and keeps whatever else the storage
 * (or a wrapper below it) offers, including members added later.
 */

/**
 * `target` with `overrides` in front. Passed-through methods run with `target` as `this` (engines
 * keep private state); their bound versions are cached per property so a hot path allocates nothing.
 *
 * @example
 * const logged = overlay(storage, { insert: async (entity, values) => { log(entity); return storage.insert(entity, values); } });
 */
export function overlay<T extends object>(target: T, overrides: Partial<T>): T {
  const bound = new Map<PropertyKey, { source: unknown; fn: unknown }>();
  return new Proxy(target, {
    get(obj, key) {
      if (Object.prototype.hasOwnProperty.call(overrides, key)) return (overrides as Record<PropertyKey, unknown>)[key];
      const value: unknown = Reflect.get(obj, key);
      if (typeof value !== 'function') return value;
      const cached = bound.get(key);
      if (cached && cached.source === value) return cached.fn;
      const fn = (value as (...args: unknown[]) => unknown).bind(obj);
      bound.set(key, { source: value, fn });
      return fn;
    },
  });
}
