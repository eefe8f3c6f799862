import type { RecordStore, Row } from '../../adapters/storage/storage.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import type { Entity, SystemModel } from '../../model/system-model.ts';

/**
 * The accounts behind authentication: records of `api.auth.userEntity`, found by their `email`
 * field, whose roles come from their `role` field.
 */

/** The user entity of the model. */
export function userEntityOf(model: SystemModel): Entity {
  return entityOf(model, model.api.auth.userEntity);
}

/**
 * The account with this email (trimmed), if any: exactly as written, or ignoring case when the
 * email is encrypted at rest (its blind index holds the lower-cased email, as uniqueness does).
 */
export async function findUserByEmail(store: RecordStore, model: SystemModel, email: string): Promise<Row | undefined> {
  const page = await store.list(model.api.auth.userEntity, { filters: [{ field: 'email', op: 'eq', value: email.trim() }], limit: 1 });
  return page.items[0];
}

/** The account with id `userId` (the string form used in tokens), if it still exists. */
export async function findUserById(store: RecordStore, model: SystemModel, userId: string): Promise<Row | undefined> {
  const entity = userEntityOf(model);
  const id = entity.id.type === 'integer' ? Number(userId) : userId;
  if (typeof id === 'number' && !Number.isSafeInteger(id)) return undefined;
  return store.get(entity.name, id);
}

/** An account's id as tokens carry it: the id field as a string. */
export function userIdOf(model: SystemModel, user: Row): string {
  return String(user[userEntityOf(model).id.field]);
}

/**
 * An account's roles: the value of the user entity's `role` field when it has one (an enum of role
 * names), otherwise `user`.
 */
export function rolesOfUser(model: SystemModel, user: Row): string[] {
  const hasRoleField = userEntityOf(model).fields.some((f) => f.name === 'role');
  if (!hasRoleField) return ['user'];
  const role = user.role;
  return typeof role === 'string' && role !== '' ? [role] : [];
}
