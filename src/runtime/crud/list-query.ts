import type { Endpoint, Entity, Field, SystemModel } from '../../model/system-model.ts';
import type { Filter, FilterOp, ListQuery } from '../../adapters/storage/storage.ts';
import { ApiError, type InvalidParam } from '../api-error.ts';
import { fieldSchema, idSchema, objectSchema } from '../validation.ts';
import { allFieldNames } from './entity-fields.ts';

/**
 * The query string of a generated list: `limit` (1..100, default 20), `cursor`, `sort`
 * (`-createdAt,title`), `fields`, `expand` (reference fields), `count=true`, and filters
 * `field=value` or `field[op]=value` (ne, lt, lte, gt, gte, in, like) on filterable fields,
 * references, the id and the endpoint's declared query fields (fields encrypted at rest: `=`,
 * `ne` and `in` only, and no sorting). Anything else is a 422.
 */

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
const OPS = ['ne', 'lt', 'lte', 'gt', 'gte', 'in', 'like'] as const;
const RESERVED = ['limit', 'cursor', 'sort', 'fields', 'expand', 'count'];

/** Fields a list may filter on: filterable fields, single references, the id, declared query fields. */
export function filterFields(entity: Entity, endpoint: Endpoint): Field[] {
  const declared = new Set(endpoint.query.map((q) => q.name));
  return entity.fields.filter((f) => f.filterable || (f.type === 'ref' && !f.ref?.many) || declared.has(f.name));
}

/**
 * Ops allowed on a field (booleans and json compare for equality only; `like` on text; fields
 * encrypted at rest by equality only, through their blind index: ciphertext keeps no order).
 */
function opsFor(field: Field | undefined): FilterOp[] {
  if (field && (field.type === 'boolean' || field.type === 'json')) return ['ne'];
  if (field?.encrypted) return ['ne', 'in'];
  const textual = !field || ['string', 'text', 'email', 'url', 'enum', 'ref'].includes(field.type);
  return OPS.filter((op) => op !== 'like' || textual);
}

/** JSON Schema of the list query string (ajv coerces its values). */
export function listQuerySchema(model: SystemModel, entity: Entity, endpoint: Endpoint): Record<string, unknown> {
  const props: Record<string, Record<string, unknown>> = {
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
    cursor: { type: 'string', maxLength: 2000 },
    sort: { type: 'string', maxLength: 500 },
    fields: { type: 'string', maxLength: 2000 },
    expand: { type: 'string', maxLength: 500 },
    count: { type: 'boolean' },
  };
  const add = (name: string, schema: Record<string, unknown>, field: Field | undefined) => {
    props[name] = schema;
    for (const op of opsFor(field)) props[`${name}[${op}]`] = op === 'in' || op === 'like' ? { type: 'string', maxLength: 2000 } : schema;
  };
  add(entity.id.field, idSchema(entity), undefined);
  for (const f of filterFields(entity, endpoint)) add(f.name, fieldSchema(model, { ...f, ref: f.ref ? { ...f.ref, many: false } : undefined }), f);
  // Declared query fields that are not entity fields stay visible to the schema but filter nothing.
  for (const q of endpoint.query) if (!props[q.name]) props[q.name] = fieldSchema(model, q);
  for (const p of endpoint.pathParams) delete props[p];
  return objectSchema(props);
}

function splitList(value: unknown): string[] {
  return String(value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Coerces one text item of an `in` list to the field's type. */
function coerceItem(field: Field | undefined, entity: Entity, text: string): unknown {
  const numeric = field ? ['integer', 'number'].includes(field.type) : entity.id.type === 'integer';
  return numeric && text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

/** Turns a validated query string into a storage ListQuery and the reference fields to expand. */
export function parseListQuery(entity: Entity, endpoint: Endpoint, query: Record<string, unknown>): { list: ListQuery; expand: string[] } {
  const names = new Set(allFieldNames(entity));
  const encrypted = new Set(entity.fields.filter((f) => f.encrypted).map((f) => f.name));
  const sortable = new Set([entity.id.field, ...filterFields(entity, endpoint).map((f) => f.name).filter((f) => !encrypted.has(f)), ...(entity.timestamps ? ['createdAt', 'updatedAt'] : [])]);
  const errors: InvalidParam[] = [];
  const sort = splitList(query.sort).map((key) => {
    const field = key.replace(/^[-+]/, '');
    if (encrypted.has(field)) errors.push({ pointer: '/query/sort', detail: `cannot sort by "${field}": it is encrypted at rest, and ciphertext has no order` });
    else if (!sortable.has(field)) errors.push({ pointer: '/query/sort', detail: `cannot sort by "${field}"; sortable: ${[...sortable].join(', ')}` });
    return { field, direction: key.startsWith('-') ? ('desc' as const) : ('asc' as const) };
  });
  const fields = query.fields === undefined ? undefined : splitList(query.fields);
  for (const f of fields ?? []) if (!names.has(f)) errors.push({ pointer: '/query/fields', detail: `"${f}" is not a field of ${entity.name}` });
  const expand = splitList(query.expand);
  for (const e of expand) {
    const field = entity.fields.find((f) => f.name === e);
    if (!field || field.type !== 'ref' || field.ref?.many) errors.push({ pointer: '/query/expand', detail: `"${e}" is not a reference field of ${entity.name}` });
  }
  const filters: Filter[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (RESERVED.includes(key)) continue;
    const match = /^([^[]+)(?:\[(\w+)\])?$/.exec(key);
    const name = match?.[1] ?? key;
    const op = (match?.[2] ?? 'eq') as FilterOp;
    const field = entity.fields.find((f) => f.name === name);
    if (!field && name !== entity.id.field) continue; // a declared query field that is not an entity field
    filters.push({ field: name, op, value: op === 'in' ? splitList(value).map((v) => coerceItem(field, entity, v)) : value });
  }
  if (errors.length) throw ApiError.validation(errors);
  const list: ListQuery = {
    limit: typeof query.limit === 'number' ? query.limit : DEFAULT_LIMIT,
    ...(filters.length ? { filters } : {}),
    ...(sort.length ? { sort } : {}),
    ...(typeof query.cursor === 'string' ? { cursor: query.cursor } : {}),
    ...(fields ? { fields: [...new Set([...fields, ...expand])] } : {}),
    ...(query.count === true ? { count: true } : {}),
  };
  return { list, expand };
}
