import type { Entity, SystemModel } from '../../model/system-model.ts';
import type { Filter, RecordStore, Row } from '../../adapters/storage/storage.ts';
import type { Caller } from '../auth/auth-contract.ts';
import { entityOf } from '../../adapters/storage/storage.ts';

/**
 * Ownership ("scope: own"): which records belong to a caller. An entity is owned directly (its owner
 * field), is the account entity itself (own means id = caller), or is owned through a parent it
 * references (Visit.link -> Link.owner). A record the caller does not own is reported as absent,
 * never as forbidden, so ids of other users' records leak nothing (no BOLA, no enumeration).
 */
export type OwnershipRule =
  | { kind: 'owner-field'; field: string }
  | { kind: 'self' }
  | { kind: 'parent'; field: string; parent: Entity; parentOwner: string };

/** Most parents a caller's list is scoped through when no parent is named in the path. */
const MAX_PARENTS = 1000;

/** How records of `entity` belong to a user, or undefined when they do not (then "own" grants nothing). */
export function ownershipRule(model: SystemModel, entity: Entity): OwnershipRule | undefined {
  if (entity.owner) return { kind: 'owner-field', field: entity.owner };
  if (entity.name === model.api.auth.userEntity) return { kind: 'self' };
  for (const f of entity.fields) {
    if (f.type !== 'ref' || !f.ref || f.ref.many) continue;
    const parent = entityOf(model, f.ref.entity);
    if (parent.owner) return { kind: 'parent', field: f.name, parent, parentOwner: parent.owner };
  }
  return undefined;
}

/** Whether `record` belongs to `caller` (one extra read for parent-owned entities). */
export async function ownsRecord(store: RecordStore, model: SystemModel, entity: Entity, record: Row, caller: Caller | undefined): Promise<boolean> {
  if (!caller) return false;
  const rule = ownershipRule(model, entity);
  if (!rule) return false;
  if (rule.kind === 'owner-field') return String(record[rule.field]) === caller.userId;
  if (rule.kind === 'self') return String(record[entity.id.field]) === caller.userId;
  const parentId = record[rule.field];
  if (parentId === null || parentId === undefined) return false;
  const parent = await store.get(rule.parent.name, parentId as string | number);
  return parent !== undefined && String(parent[rule.parentOwner]) === caller.userId;
}

/**
 * Filters that restrict a list to the caller's records. `pathFilters` are the parent references
 * already fixed by the path; a parent named there is checked once instead of listing the caller's parents.
 * Returns undefined when the caller owns nothing that could match (the list is empty).
 */
export async function ownershipFilters(
  store: RecordStore, model: SystemModel, entity: Entity, caller: Caller | undefined, pathFilters: Filter[],
): Promise<Filter[] | undefined> {
  const rule = ownershipRule(model, entity);
  if (!caller || !rule) return undefined;
  if (rule.kind === 'owner-field') return [{ field: rule.field, op: 'eq', value: caller.userId }];
  if (rule.kind === 'self') return [{ field: entity.id.field, op: 'eq', value: caller.userId }];
  const named = pathFilters.find((f) => f.field === rule.field);
  if (named) {
    const parent = await store.get(rule.parent.name, named.value as string | number);
    return parent && String(parent[rule.parentOwner]) === caller.userId ? [] : undefined;
  }
  const parents = await store.list(rule.parent.name, {
    filters: [{ field: rule.parentOwner, op: 'eq', value: caller.userId }], fields: [rule.parent.id.field], limit: MAX_PARENTS,
  });
  const ids = parents.items.map((p) => p[rule.parent.id.field]);
  return ids.length ? [{ field: rule.field, op: 'in', value: ids }] : undefined;
}

/** The ids of those `records` of `entity` that belong to `caller` (one batched read of parents for parent-owned entities). */
export async function ownedAmong(store: RecordStore, model: SystemModel, entity: Entity, records: Row[], caller: Caller | undefined): Promise<Set<string>> {
  const owned = new Set<string>();
  const rule = ownershipRule(model, entity);
  if (!caller || !rule) return owned;
  const idOf = (record: Row) => String(record[entity.id.field]);
  if (rule.kind !== 'parent') {
    const ownerOf = (record: Row) => String(rule.kind === 'owner-field' ? record[rule.field] : record[entity.id.field]);
    for (const record of records) if (ownerOf(record) === caller.userId) owned.add(idOf(record));
    return owned;
  }
  const parentIds = [...new Set(records.map((r) => r[rule.field]).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number'))];
  const parents = parentIds.length ? await store.getMany(rule.parent.name, parentIds) : [];
  const mine = new Set(parents.filter((p) => String(p[rule.parentOwner]) === caller.userId).map((p) => String(p[rule.parent.id.field])));
  for (const record of records) if (mine.has(String(record[rule.field]))) owned.add(idOf(record));
  return owned;
}
