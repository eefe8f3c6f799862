import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../auth/auth-contract.ts';
import type { Row } from '../../adapters/storage/storage.ts';
import { ApiError } from '../api-error.ts';
import { fastifyUrl } from '../authorization.ts';
import { checkParents, loadAddressed, type CrudRoute } from './crud-route.ts';
import { PASSWORD_FIELD, takesPassword, writableFields } from './entity-fields.ts';
import { etagOf, presentRecord, versionFromIfMatch } from './present-record.ts';

/**
 * Generated writes. Create answers 201 with Location and ETag; the owner field is the caller and
 * path parameters set parent references. Update (PATCH partial, PUT whole) requires If-Match
 * (428 without, 412 when stale) and answers the new ETag. Delete answers 204; If-Match is optional
 * but checked when sent. Absent or other users' records are 404 throughout.
 */

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** POST collection. The account entity's `password` is hashed and stored in the same transaction. */
export function createHandler(route: CrudRoute, auth: AuthService): Handler {
  const { model, storage, entity } = route;
  const getEndpoint = model.api.endpoints.find((e) => e.operation === 'get' && e.entity === entity.name && e.pathParams.length === 1);
  const getUrl = getEndpoint ? fastifyUrl(model, getEndpoint.route) : undefined;
  return async (request, reply) => {
    await checkParents(route, request);
    const { [PASSWORD_FIELD]: password, ...values } = { ...(request.body as Row) };
    const params = request.params as Row;
    for (const p of route.parentParams) values[p] = params[p];
    if (entity.owner) {
      if (!request.caller) throw ApiError.unauthenticated(`creating a ${entity.name} needs a signed-in caller, who becomes its owner`);
      values[entity.owner] = request.caller.userId;
    }
    // Hash before the transaction: argon2 must not hold the database's write lock.
    const prepared = takesPassword(model, entity) ? await auth.preparePassword(String(password), typeof values.email === 'string' ? values.email : undefined) : undefined;
    const record = await storage.transaction(async (tx) => {
      const inserted = await tx.insert(entity.name, values);
      if (prepared) await auth.storePassword(tx, String(inserted[entity.id.field]), prepared);
      return inserted;
    });
    const id = encodeURIComponent(String(record[entity.id.field]));
    const location = getUrl ? getUrl.replace(/:[^/]+$/, () => id) : `${request.url.split('?')[0]}/${id}`;
    void reply.status(201).header('location', location).header('etag', etagOf(record));
    const owned = entity.owner !== undefined || entity.name === model.api.auth.userEntity;
    return presentRecord(model, entity, record, { caller: request.caller, owned });
  };
}

/** The version If-Match names (`'*'`: any); 428 when the header is missing on an update. */
function expectedVersion(request: FastifyRequest, required: boolean): number | '*' | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) {
    if (required) throw new ApiError('precondition_required', 'send If-Match with the ETag of the record you read (GET it first), so concurrent edits are not lost');
    return undefined;
  }
  const version = versionFromIfMatch(header);
  if (version === undefined) throw ApiError.preconditionFailed(`If-Match ${header} is not an ETag of this record; GET it again`);
  return version;
}

function stale(current: number): ApiError {
  return new ApiError('precondition_failed', `the record changed since you read it (now version ${current}); GET it again and retry`, { headers: { etag: `W/"${current}"` } });
}

/** PATCH (partial) or PUT (every writable field; omitted optional fields become null). */
export function updateHandler(route: CrudRoute): Handler {
  const { model, storage, entity, endpoint } = route;
  const replace = endpoint.method === 'PUT';
  return async (request, reply) => {
    const version = expectedVersion(request, true);
    const { id, record, owned } = await loadAddressed(route, request);
    const patch: Row = { ...(request.body as Row) };
    if (replace) for (const f of writableFields(entity, endpoint)) if (!(f.name in patch)) patch[f.name] = null;
    const expected = version === '*' ? undefined : version;
    if (expected !== undefined && Number(record.version) !== expected) throw stale(Number(record.version));
    const result = await storage.update(entity.name, id, patch, expected === undefined ? {} : { expectedVersion: expected });
    if (result === undefined) throw ApiError.notFound(`${entity.name} ${String(id)} does not exist`);
    if ('conflict' in result) throw stale(Number(result.currentVersion));
    void reply.header('etag', etagOf(result));
    return presentRecord(model, entity, result as Row, { caller: request.caller, owned });
  };
}

/** DELETE one record (soft delete where the entity declares it): 204. */
export function deleteHandler(route: CrudRoute): Handler {
  const { storage, entity } = route;
  return async (request, reply) => {
    const version = expectedVersion(request, false);
    const { id, record } = await loadAddressed(route, request);
    const expected = version === '*' ? undefined : version;
    if (expected !== undefined && Number(record.version) !== expected) throw stale(Number(record.version));
    const result = await storage.delete(entity.name, id, expected === undefined ? {} : { expectedVersion: expected });
    if (result === false) throw ApiError.notFound(`${entity.name} ${String(id)} does not exist`);
    if (typeof result === 'object') throw stale(Number(result.currentVersion));
    return reply.status(204).send();
  };
}
