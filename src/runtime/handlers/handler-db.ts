import type { Filter, FilterOp, RecordStore, Row } from '../../adapters/storage/storage.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import type { HandlerDb, ListOptions, Where } from './handler-context.ts';

/**
 * `ctx.db`: the handler's view of one transaction. Entity names are checked against the model (a
 * misspelt name is a programming error, reported with the known names); list filters are written
 * as plain objects (`{ status: 'booked', startsAt: { lt: end } }`) and become storage filters.
 */

const OPS = new Set<FilterOp>(['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'like', 'isNull']);
/** Default and largest page a handler may ask for (storage's own limit). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** Converts a `where` object to storage filters. */
export function filtersOf(where: Where): Filter[] {
  const filters: Filter[] = [];
  for (const [field, condition] of Object.entries(where)) {
    if (condition === undefined) continue;
    const isOps = condition !== null && typeof condition === 'object' && !Array.isArray(condition) && Object.keys(condition).length > 0
      && Object.keys(condition).every((k) => OPS.has(k as FilterOp));
    if (!isOps) {
      filters.push(condition === null ? { field, op: 'isNull', value: true } : { field, op: 'eq', value: condition });
      continue;
    }
    for (const [op, value] of Object.entries(condition as Record<string, unknown>)) filters.push({ field, op: op as FilterOp, value });
  }
  return filters;
}

function sortOf(orderBy: ListOptions['orderBy']): { field: string; direction: 'asc' | 'desc' }[] | undefined {
  if (orderBy === undefined) return undefined;
  return (Array.isArray(orderBy) ? orderBy : [orderBy]).map((key) => ({ field: key.replace(/^-/, ''), direction: key.startsWith('-') ? 'desc' : 'asc' }));
}

/** A HandlerDb over `store` (normally the request's transaction). */
export function handlerDb(model: SystemModel, store: RecordStore): HandlerDb {
  const known = new Set(model.entities.map((e) => e.name));
  const check = (entity: string) => {
    if (!known.has(entity)) throw new Error(`ctx.db: unknown entity "${entity}"; the spec defines ${[...known].join(', ')}`);
  };
  return {
    async get(entity, id, options = {}) {
      check(entity);
      return store.get(entity, id, options.forUpdate ? { forUpdate: true } : {});
    },
    async list(entity, where = {}, options = {}) {
      check(entity);
      const sort = sortOf(options.orderBy);
      return store.list(entity, {
        filters: filtersOf(where),
        limit: Math.min(Math.max(options.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT),
        ...(sort ? { sort } : {}),
        ...(options.cursor ? { cursor: options.cursor } : {}),
        ...(options.fields ? { fields: options.fields } : {}),
        ...(options.count ? { count: true } : {}),
        ...(options.includeDeleted ? { includeDeleted: true } : {}),
      });
    },
    async create(entity, values: Row) {
      check(entity);
      // Handlers pass optional values as undefined (`amends: ctx.body.amends`): that means "not set".
      return store.insert(entity, Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
    },
    async update(entity, id, patch, options = {}) {
      check(entity);
      const result = await store.update(entity, id, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), options);
      if (result && 'conflict' in result) throw ApiError.preconditionFailed(`${entity} ${String(id)} changed concurrently (now version ${result.currentVersion})`);
      return result as Row | undefined;
    },
    async delete(entity, id) {
      check(entity);
      const result = await store.delete(entity, id);
      return result === true;
    },
  };
}
