import type { Entity, SystemModel } from '../../model/system-model.ts';
import { entityOf, type RecordStore, type Row } from '../../adapters/storage/storage.ts';
import type { Caller } from '../auth/auth-contract.ts';
import { readScopeOf } from '../auth/authorize.ts';
import { ApiError, type InvalidParam } from '../api-error.ts';
import { ownedAmong } from './ownership.ts';
import { presentRecord } from './present-record.ts';

/**
 * `expand=<reference field>` on generated lists. A reference is replaced by the related record only
 * when the caller may read it by the spec's permissions on the related entity ({@link readScopeOf}):
 * with a read permission on all records every reference expands; with an `:own` one only references
 * to the caller's own records do, and the others stay as their id; with none, asking to expand the
 * field is refused (422 naming it) rather than silently ignored, so a client learns why.
 */

/** How far one expanded reference goes: every related record, or only the caller's own. */
export type ExpansionScope = 'all' | 'own';

/**
 * The scope of each requested reference field (fields that are not single references are left to
 * the query parser, which rejects them).
 *
 * @throws ApiError validation_failed (422) with pointer /query/expand naming each field whose related entity the caller may not read
 */
export function expansionScopes(model: SystemModel, entity: Entity, expand: string[], caller: Caller | undefined): Map<string, ExpansionScope> {
  const scopes = new Map<string, ExpansionScope>();
  const errors: InvalidParam[] = [];
  const who = caller ? `a caller with ${caller.roles.length ? `the role${caller.roles.length > 1 ? 's' : ''} ${caller.roles.join(', ')}` : 'no role'}` : 'an anonymous caller';
  for (const name of expand) {
    const related = entity.fields.find((f) => f.name === name)?.ref?.entity;
    if (!related) continue;
    const scope = readScopeOf(model, related, caller);
    if (scope) scopes.set(name, scope);
    else errors.push({ pointer: '/query/expand', detail: `"${name}" refers to ${related}, which ${who} may not read (no ${related}:read permission); leave it out of expand to get its id only` });
  }
  if (errors.length) throw ApiError.validation(errors);
  return scopes;
}

/**
 * Replaces each expanded reference of `records` (already presented) with the related record as the
 * caller may see it, fetched once per field. Under scope `all` a reference to a record that no
 * longer exists becomes null; under `own` every reference that is not the caller's keeps its id.
 */
export async function expandReferences(
  store: RecordStore, model: SystemModel, entity: Entity, records: Row[], scopes: ReadonlyMap<string, ExpansionScope>, caller: Caller | undefined,
): Promise<void> {
  for (const [name, scope] of scopes) {
    const field = entity.fields.find((f) => f.name === name);
    if (!field?.ref) continue;
    const target = entityOf(model, field.ref.entity);
    const ids = [...new Set(records.map((r) => r[name]).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number'))];
    if (!ids.length) continue;
    const related = await store.getMany(target.name, ids);
    const owned = scope === 'own' ? await ownedAmong(store, model, target, related, caller) : undefined;
    const byId = new Map<string, Row>();
    for (const r of related) {
      const id = String(r[target.id.field]);
      if (!owned) byId.set(id, presentRecord(model, target, r, { caller }));
      else if (owned.has(id)) byId.set(id, presentRecord(model, target, r, { caller, owned: true }));
    }
    for (const record of records) {
      const id = record[name];
      if (id === null || id === undefined) continue;
      const expanded = byId.get(String(id));
      if (expanded) record[name] = expanded;
      else if (!owned) record[name] = null;
    }
  }
}
