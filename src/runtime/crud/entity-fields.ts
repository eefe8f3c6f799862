import { MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import type { Endpoint, Entity, Field, SystemModel } from '../../model/system-model.ts';
import { fieldSchema, idSchema, nullableFieldSchema, objectSchema } from '../validation.ts';

/**
 * Which fields of an entity a client may write, and the JSON Schemas of generated request bodies.
 * Server-managed fields (the generated id, version, timestamps, deletedAt, the owner, and fields a
 * path parameter sets) and read-only fields are never writable: no mass assignment.
 */

/** Extra body field accepted when signing up on the account entity (password+jwt). */
export const PASSWORD_FIELD = 'password';

/** Columns the storage maintains itself, by entity. */
export function serverManagedFields(entity: Entity): string[] {
  return [
    ...(entity.id.generate === 'client' ? [] : [entity.id.field]),
    'version',
    ...(entity.timestamps ? ['createdAt', 'updatedAt'] : []),
    ...(entity.softDelete ? ['deletedAt'] : []),
    ...(entity.owner ? [entity.owner] : []),
  ];
}

/** Every name a record of `entity` can carry in a response. */
export function allFieldNames(entity: Entity): string[] {
  return [entity.id.field, ...entity.fields.map((f) => f.name), 'version', ...(entity.timestamps ? ['createdAt', 'updatedAt'] : []), ...(entity.softDelete ? ['deletedAt'] : [])];
}

/** Fields that a request body may set on `entity` through `endpoint` (path parameters set the rest). */
export function writableFields(entity: Entity, endpoint: Endpoint): Field[] {
  const managed = new Set(serverManagedFields(entity));
  return entity.fields.filter((f) => !f.readOnly && !managed.has(f.name) && !endpoint.pathParams.includes(f.name));
}

/** Whether creating `entity` also sets a password (the account entity under password+jwt). */
export function takesPassword(model: SystemModel, entity: Entity): boolean {
  return model.api.auth.method === 'password+jwt' && entity.name === model.api.auth.userEntity;
}

/** Names a body must not contain, with the reason (for read_only_field problems). */
export function forbiddenBodyFields(entity: Entity, endpoint: Endpoint): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of serverManagedFields(entity)) {
    out.set(name, name === entity.owner ? 'is set to the signed-in caller' : 'is managed by the server');
  }
  for (const f of entity.fields) if (f.readOnly) out.set(f.name, 'is read-only');
  for (const p of endpoint.pathParams) if (entity.fields.some((f) => f.name === p)) out.set(p, 'is taken from the URL path');
  return out;
}

/**
 * The body schema of a generated write. `create`: required fields without a default are required;
 * `replace` (PUT): the same; `patch`: nothing is required and at least one field must be given.
 */
export function bodySchema(model: SystemModel, entity: Entity, endpoint: Endpoint, mode: 'create' | 'replace' | 'patch'): Record<string, unknown> {
  const fields = writableFields(entity, endpoint);
  const properties: Record<string, Record<string, unknown>> = {};
  for (const f of fields) properties[f.name] = nullableFieldSchema(model, f);
  if (mode === 'create' && entity.id.generate === 'client') properties[entity.id.field] = idSchema(entity);
  if (mode === 'create' && takesPassword(model, entity)) properties[PASSWORD_FIELD] = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: 128 };
  const required = mode === 'patch' ? [] : fields.filter((f) => f.required && f.default === undefined).map((f) => f.name);
  if (mode === 'create' && entity.id.generate === 'client') required.push(entity.id.field);
  if (mode === 'create' && takesPassword(model, entity)) required.push(PASSWORD_FIELD);
  return { ...objectSchema(properties, required), ...(mode === 'patch' ? { minProperties: 1 } : {}) };
}

/** Schema of one path parameter: the id of the entity, or the id of the entity a reference field points at. */
export function pathParamSchema(model: SystemModel, entity: Entity, param: string, isId: boolean): Record<string, unknown> {
  if (isId) return idSchema(entity);
  const field = entity.fields.find((f) => f.name === param);
  return field ? fieldSchema(model, { ...field, ref: field.ref ? { ...field.ref, many: false } : undefined }) : { type: 'string' };
}
