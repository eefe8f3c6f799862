import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Filter, Row } from '../../adapters/storage/storage.ts';
import { scopeOf } from '../authorization.ts';
import { checkParents, loadAddressed, parentFilters, type CrudRoute } from './crud-route.ts';
import { parseListQuery } from './list-query.ts';
import { ownershipFilters } from './ownership.ts';
import { expandReferences, expansionScopes } from './expand-references.ts';
import { etagOf, presentRecord } from './present-record.ts';

/**
 * Generated reads. `list` answers `{ items, nextCursor?, total? }` with keyset pagination; under
 * scope own it only ever sees the caller's records (owner field, own account, or owned parent), and
 * `expand` only replaces references the caller may read (see expand-references.ts).
 * `get` answers one record with its ETag.
 */

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** GET collection. */
export function listHandler(route: CrudRoute): Handler {
  const { model, storage, entity, endpoint } = route;
  return async (request) => {
    const { list, expand } = parseListQuery(entity, endpoint, request.query as Record<string, unknown>);
    const expansions = expansionScopes(model, entity, expand, request.caller);
    const fromPath = parentFilters(route, request);
    await checkParents(route, request);
    const own = scopeOf(request) === 'own';
    let scoped: Filter[] = [];
    if (own) {
      const filters = await ownershipFilters(storage, model, entity, request.caller, fromPath);
      if (!filters) return { items: [], ...(list.count ? { total: 0 } : {}) };
      scoped = filters;
    }
    // Ask storage for the owner column too, so visibility can tell owners even when `fields` leaves it out.
    const ownerField = entity.owner;
    const fields = list.fields && ownerField && !list.fields.includes(ownerField) ? [...list.fields, ownerField] : list.fields;
    const page = await storage.list(entity.name, {
      ...list, ...(fields ? { fields } : {}), filters: [...(list.filters ?? []), ...fromPath, ...scoped],
    });
    const items: Row[] = page.items.map((r) => presentRecord(model, entity, r, { caller: request.caller, owned: own || undefined, fields: list.fields }));
    if (expansions.size) await expandReferences(storage, model, entity, items, expansions, request.caller);
    return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), ...(page.total !== undefined ? { total: page.total } : {}) };
  };
}

/** GET one record: 404 when absent or not the caller's (scope own); ETag W/"<version>". */
export function getHandler(route: CrudRoute): Handler {
  const { model, entity } = route;
  return async (request, reply) => {
    const { record, owned } = await loadAddressed(route, request);
    void reply.header('etag', etagOf(record));
    return presentRecord(model, entity, record, { caller: request.caller, owned });
  };
}
