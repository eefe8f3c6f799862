import type { Endpoint, Entity, RateLimit, SystemModel } from '../../model/system-model.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import { bodySchema, pathParamSchema, takesPassword, PASSWORD_FIELD } from '../crud/entity-fields.ts';
import { DEFAULT_LIMIT, listQuerySchema } from '../crud/list-query.ts';
import { MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import { endpointRateLimit } from '../rate-limit/endpoint-limits.ts';
import { nullableFieldSchema, objectSchema } from '../validation.ts';
import { Components, parameterSchema, type JsonSchema } from './openapi-components.ts';
import { IDEMPOTENCY_KEY_PARAMETER } from '../idempotency/idempotency-key.ts';

/**
 * One OpenAPI operation per spec endpoint. Generated endpoints (`does: <op> Entity`) are described
 * from the same schemas the pipeline validates with (crud/entity-fields.ts, crud/list-query.ts),
 * so the document cannot drift from what the server accepts; custom endpoints from their declared
 * `query:`/`body:` fields and the statuses named in `returns:`.
 */

/** Descriptions of the list query parameters and filter operators. */
const LIST_PARAMS: Record<string, string> = {
  limit: `Page size, 1 to 100 (default ${DEFAULT_LIMIT}).`,
  cursor: 'The `nextCursor` of the previous page.',
  sort: 'Comma-separated fields to sort by; prefix a field with `-` for descending (`-createdAt,title`).',
  fields: 'Comma-separated fields to return (the id is always returned).',
  expand: 'Comma-separated reference fields to replace by the records they point to.',
  count: 'With `true`, the page also carries `total`, the number of matching records.',
};
const OPERATORS: Record<string, string> = {
  ne: 'differs from', lt: 'is less than', lte: 'is at most', gt: 'is greater than', gte: 'is at least',
  in: 'is one of (comma-separated values)', like: 'matches this pattern (`%` any text, `_` one character; case-insensitive)',
};

/** The security requirements of `endpoint`: none when public, else any of the API's schemes. */
export function securityOf(model: SystemModel, endpoint: Pick<Endpoint, 'public'>): Record<string, string[]>[] {
  if (endpoint.public) return [];
  return securitySchemeNames(model).map((name) => ({ [name]: [] }));
}

/** Names of the security schemes the API accepts. */
export function securitySchemeNames(model: SystemModel): string[] {
  const { method, apiKeys } = model.api.auth;
  return [...(method === 'password+jwt' || method === 'oidc' ? ['bearerAuth'] : []), ...(apiKeys || method === 'api-key' ? ['apiKeyAuth'] : [])];
}

/** The OpenAPI operation object of `endpoint`. */
export function endpointOperation(model: SystemModel, components: Components, endpoint: Endpoint, operationId: string, tag: string): JsonSchema {
  const entity = endpoint.operation !== 'custom' && endpoint.entity ? entityOf(model, endpoint.entity) : undefined;
  const parts = entity ? crudParts(model, components, endpoint, entity) : customParts(model, endpoint);
  if (endpoint.idempotent && endpoint.method === 'POST') parts.parameters.push({ ...IDEMPOTENCY_KEY_PARAMETER });
  const errors = new Map<number, JsonSchema>();
  for (const status of parts.errors) errors.set(status, components.problem(status));
  if (!endpoint.public) for (const status of [401, 403]) errors.set(status, components.problem(status));
  const rateLimit = endpointRateLimit(model, endpoint);
  if (rateLimit) errors.set(429, components.problem(429));
  for (const [status, description] of parts.namedErrors ?? []) errors.set(status, components.problem(status, description));
  const responses = Object.fromEntries([...Object.entries(parts.success), ...[...errors].sort(([a], [b]) => a - b).map(([s, r]) => [String(s), r])]);
  return {
    operationId,
    summary: endpoint.summary,
    description: describe(endpoint, rateLimit),
    tags: [tag],
    ...(parts.parameters.length ? { parameters: parts.parameters } : {}),
    ...(parts.body ? { requestBody: { required: true, content: { 'application/json': { schema: parts.body } } } } : {}),
    responses,
    security: securityOf(model, endpoint),
  };
}

interface Parts {
  parameters: JsonSchema[];
  body?: JsonSchema;
  success: Record<string, JsonSchema>;
  errors: number[];
  namedErrors?: [number, string][];
}

function crudParts(model: SystemModel, components: Components, endpoint: Endpoint, entity: Entity): Parts {
  const op = endpoint.operation;
  const idParam = op === 'get' || op === 'update' || op === 'delete' ? endpoint.pathParams[endpoint.pathParams.length - 1] : undefined;
  const parameters: JsonSchema[] = endpoint.pathParams.map((p) => ({
    name: p, in: 'path', required: true, schema: pathParamSchema(model, entity, p, p === idParam),
    description: p === idParam ? `The ${entity.name}'s ${entity.id.field}.` : `The ${p} the ${entity.name} records belong to.`,
  }));
  const withBody = op === 'create' || op === 'update';
  const errors = [...(endpoint.pathParams.length ? [404] : []), ...(withBody ? [400, 413] : []), 422];
  const record = components.entity(entity);
  const etag = { ETag: components.etag() };
  if (op === 'list') {
    parameters.push(...listParameters(model, entity, endpoint));
    return { parameters, success: { 200: { description: endpoint.returns, content: { 'application/json': { schema: components.page(entity) } } } }, errors };
  }
  if (op === 'get') return { parameters, success: { 200: { description: endpoint.returns, headers: etag, content: { 'application/json': { schema: record } } } }, errors };
  if (op === 'delete') {
    parameters.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The ETag of the record as read; when sent, a changed record is not deleted (412).' });
    return { parameters, success: { 204: { description: `The ${entity.name} is deleted${entity.softDelete ? ' (soft delete: kept with deletedAt set)' : ''}.` } }, errors: [...errors, 409, 412] };
  }
  if (op === 'create') {
    const body = createBody(model, entity, endpoint);
    const headers = { ...etag, Location: components.header('Location', { description: 'URL of the created record.', schema: { type: 'string' } }) };
    return { parameters, body: components.shared(`${entity.name}Create`, body), success: { 201: { description: endpoint.returns, headers, content: { 'application/json': { schema: record } } } }, errors: [...errors, 409] };
  }
  const mode = endpoint.method === 'PUT' ? 'replace' : 'patch';
  parameters.push({ name: 'If-Match', in: 'header', required: true, schema: { type: 'string' }, description: 'The ETag of the record as read (`W/"3"`), or `*`. Missing: 428; stale: 412.' });
  const body = bodySchema(model, entity, endpoint, mode);
  return {
    parameters, body: components.shared(`${entity.name}${mode === 'patch' ? 'Update' : 'Replace'}`, body),
    success: { 200: { description: endpoint.returns, headers: etag, content: { 'application/json': { schema: record } } } },
    errors: [...errors, 409, 412, 428],
  };
}

/** The create body, with the account entity's password described as such. */
function createBody(model: SystemModel, entity: Entity, endpoint: Endpoint): JsonSchema {
  const body = bodySchema(model, entity, endpoint, 'create');
  if (!takesPassword(model, entity)) return body;
  const properties = body.properties as Record<string, JsonSchema>;
  properties[PASSWORD_FIELD] = { ...properties[PASSWORD_FIELD], writeOnly: true, format: 'password', description: `The password to sign in with (at least ${MIN_PASSWORD_LENGTH} characters); stored only as an argon2id hash.` };
  return body;
}

/** Query parameters of a generated list, one per property of the schema the pipeline validates. */
function listParameters(model: SystemModel, entity: Entity, endpoint: Endpoint): JsonSchema[] {
  const properties = (listQuerySchema(model, entity, endpoint).properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).map(([name, schema]) => {
    const match = /^([^[]+)(?:\[(\w+)\])?$/.exec(name);
    const field = match?.[1] ?? name;
    const op = match?.[2];
    const description = LIST_PARAMS[name] ?? (op ? `Only records whose \`${field}\` ${OPERATORS[op] ?? op} this value.` : `Only records whose \`${field}\` equals this value.`);
    return { name, in: 'query', required: false, schema: name === 'limit' ? { ...schema, default: DEFAULT_LIMIT } : schema, description };
  });
}

function customParts(model: SystemModel, endpoint: Endpoint): Parts {
  const parameters: JsonSchema[] = [
    ...endpoint.pathParams.map((p) => ({ name: p, in: 'path', required: true, schema: { type: 'string' } })),
    ...endpoint.query.map((f) => ({ name: f.name, in: 'query', required: f.required && f.default === undefined, schema: parameterSchema(model, f), ...(f.description ? { description: f.description } : {}) })),
  ];
  if (endpoint.signature) {
    parameters.push({ name: endpoint.signature.header, in: 'header', required: true, schema: { type: 'string' }, description: `${endpoint.signature.algorithm.toUpperCase()} signature of the raw body with the shared secret.` });
  }
  const body = endpoint.body.length
    ? objectSchema(Object.fromEntries(endpoint.body.map((f) => [f.name, nullableFieldSchema(model, f)])), endpoint.body.filter((f) => f.required && f.default === undefined).map((f) => f.name))
    : undefined;
  const named = statusesIn(endpoint.returns);
  const successes = named.filter((s) => s < 400);
  const success: Record<string, JsonSchema> = {};
  for (const status of successes.length ? successes : [200]) {
    if (status === 204) success[status] = { description: endpoint.returns };
    else if (status >= 300) success[status] = { description: endpoint.returns, headers: { Location: { description: 'Where the client is sent.', schema: { type: 'string' } } } };
    else success[status] = { description: endpoint.returns, content: { 'application/json': { schema: {} } } };
  }
  const errors = [...(endpoint.pathParams.length ? [404] : []), ...(body ? [400, 413] : []), ...(body || endpoint.query.length ? [422] : [])];
  if (endpoint.signature) errors.push(401);
  return { parameters, ...(body ? { body } : {}), success, errors, namedErrors: named.filter((s) => s >= 400).map((s) => [s, endpoint.returns]) };
}

/** Statuses a handler may plausibly answer; other three-digit numbers in `returns:` are quantities. */
const HTTP_STATUSES = new Set([200, 201, 202, 204, 301, 302, 303, 307, 308, 400, 401, 402, 403, 404, 405, 409, 410, 412, 413, 415, 422, 423, 428, 429, 500, 502, 503, 504]);

/** HTTP statuses named in a `returns:` text ("the Payment (201) ... a decline code (402)"), in order. */
export function statusesIn(text: string): number[] {
  return [...new Set([...text.matchAll(/\b(\d{3})\b/g)].map((m) => Number(m[1])).filter((s) => HTTP_STATUSES.has(s)))];
}

function describe(endpoint: Endpoint, rateLimit: RateLimit | undefined): string {
  const lines = [
    endpoint.public ? 'Public: no credentials needed.' : `Roles: ${endpoint.roles.length ? endpoint.roles.join(', ') : 'any signed-in caller'}${endpoint.scope === 'own' ? ' (own records only)' : ''}.`,
    rateLimit ? `Rate limit: ${rateLimit.description} (429 beyond it, with Retry-After).` : '',
    endpoint.cacheMs !== undefined ? `Cached for ${endpoint.cacheMs / 1000} s.` : '',
    endpoint.emits.length ? `Emits ${endpoint.emits.join(', ')}.` : '',
    endpoint.handler ? `Handler: \`${endpoint.handler}\`.` : '',
  ];
  return lines.filter(Boolean).join(' ');
}
