import type { FastifyRequest } from 'fastify';
import type { Endpoint, Entity, SystemModel } from '../../model/system-model.ts';
import type { Filter, Row, Storage } from '../../adapters/storage/storage.ts';
import { ApiError, type InvalidParam } from '../api-error.ts';
import { scopeOf } from '../authorization.ts';
import { forbiddenBodyFields } from './entity-fields.ts';
import { ownsRecord, ownershipRule } from './ownership.ts';

/**
 * What every generated handler knows about its route: the model, storage, entity and endpoint, which
 * path parameter is the record id (get/update/delete: the last one) and which name parent references.
 */
export interface CrudRoute {
  model: SystemModel;
  storage: Storage;
  entity: Entity;
  endpoint: Endpoint;
  idParam?: string;
  parentParams: string[];
}

/** Builds the route description of a generated endpoint. */
export function crudRoute(model: SystemModel, storage: Storage, entity: Entity, endpoint: Endpoint): CrudRoute {
  const byId = endpoint.operation === 'get' || endpoint.operation === 'update' || endpoint.operation === 'delete';
  const idParam = byId ? endpoint.pathParams[endpoint.pathParams.length - 1] : undefined;
  return { model, storage, entity, endpoint, idParam, parentParams: endpoint.pathParams.filter((p) => p !== idParam) };
}

/** Path parameters naming parent references, as equality filters (`/links/{link}/visits` -> link = ...). */
export function parentFilters(route: CrudRoute, request: FastifyRequest): Filter[] {
  const params = request.params as Record<string, unknown>;
  return route.parentParams.map((p) => ({ field: p, op: 'eq' as const, value: params[p] }));
}

/**
 * The record a get/update/delete addresses, if the caller may see it: absent, under another parent,
 * or (scope own) someone else's all answer the same 404.
 */
export async function loadAddressed(route: CrudRoute, request: FastifyRequest): Promise<{ id: string | number; record: Row; owned: boolean }> {
  const params = request.params as Record<string, string | number>;
  const id = params[route.idParam!]!;
  const missing = () => ApiError.notFound(`${route.entity.name} ${String(id)} does not exist`);
  const record = await route.storage.get(route.entity.name, id);
  if (!record) throw missing();
  for (const p of route.parentParams) if (String(record[p]) !== String(params[p])) throw missing();
  const owned = await ownsRecord(route.storage, route.model, route.entity, record, request.caller);
  if (scopeOf(request) === 'own' && !owned) throw missing();
  return { id, record, owned };
}

/** Parent records named in the path must exist and, under scope own, belong to the caller (else 404). */
export async function checkParents(route: CrudRoute, request: FastifyRequest): Promise<void> {
  const rule = ownershipRule(route.model, route.entity);
  const params = request.params as Record<string, string | number>;
  for (const p of route.parentParams) {
    const field = route.entity.fields.find((f) => f.name === p);
    if (!field?.ref) continue;
    const parent = await route.storage.get(field.ref.entity, params[p]!);
    const own = rule?.kind === 'parent' && rule.field === p && scopeOf(request) === 'own';
    if (!parent || (own && String(parent[rule.parentOwner]) !== request.caller?.userId)) {
      throw ApiError.notFound(`${field.ref.entity} ${String(params[p])} does not exist`);
    }
  }
}

/** Mass-assignment guard (runs before schema validation): server-managed, read-only and unknown body fields are named in a 422. */
export function rejectUnwritable(route: CrudRoute, allowed: ReadonlySet<string>): (request: FastifyRequest) => Promise<void> {
  const forbidden = forbiddenBodyFields(route.entity, route.endpoint);
  return async (request) => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return;
    const readOnly: InvalidParam[] = [];
    const unknown: InvalidParam[] = [];
    for (const key of Object.keys(body)) {
      if (allowed.has(key)) continue;
      const reason = forbidden.get(key);
      if (reason) readOnly.push({ pointer: `/${key}`, detail: reason });
      else unknown.push({ pointer: `/${key}`, detail: `is not a field of ${route.entity.name}` });
    }
    if (unknown.length) throw new ApiError('unknown_field', `unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.map((e) => e.pointer.slice(1)).join(', ')}`, { errors: [...unknown, ...readOnly] });
    if (readOnly.length) throw new ApiError('read_only_field', `not writable: ${readOnly.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; ')}`, { errors: readOnly });
  };
}
