import type { VisibleFields } from './auth-contract.ts';
import type { Entity } from '../../model/system-model.ts';

/**
 * The fields of `entity` a caller may see in a response.
 *
 * Every field of the entity plus its server-managed columns (the id field, `version`,
 * `createdAt`/`updatedAt` with timestamps, `deletedAt` with soft delete) is visible, except fields
 * marked `pii` or `sensitive`: those are visible only to a caller holding a role of
 * `security.piiRoles`, or when `isOwner` is true. The pipeline passes `isOwner` when the record's
 * owner field is the caller, and on the user entity when the record is the caller's own account,
 * so people always see their own personal data.
 *
 * @example
 * visibleFields(model, user, { userId: 'u2', roles: ['user'], via: 'jwt' }, false) // no email, no name
 * visibleFields(model, user, { userId: 'u1', roles: ['user'], via: 'jwt' }, true)  // includes email
 */
export const visibleFields: VisibleFields = (model, entity, caller, isOwner) => {
  const seesPersonalData = isOwner || (caller?.roles.some((r) => model.security.piiRoles.includes(r)) ?? false);
  const visible = serverManagedFields(entity);
  for (const field of entity.fields) {
    if (seesPersonalData || (!field.pii && !field.sensitive)) visible.add(field.name);
  }
  return visible;
};

/** The columns storage adds to every record of `entity` (see the storage contract). */
function serverManagedFields(entity: Entity): Set<string> {
  const fields = new Set([entity.id.field, 'version']);
  if (entity.timestamps) { fields.add('createdAt'); fields.add('updatedAt'); }
  if (entity.softDelete) fields.add('deletedAt');
  return fields;
}
