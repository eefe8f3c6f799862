import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { CrudOperation, Endpoint, SystemModel } from '../../model/system-model.ts';
import { entityOf, type Storage } from '../../adapters/storage/storage.ts';
import type { AuthService } from '../auth/auth-contract.ts';
import { authorizationHook, fastifyUrl } from '../authorization.ts';
import { objectSchema } from '../validation.ts';
import { crudRoute, rejectUnwritable, type CrudRoute } from './crud-route.ts';
import { bodySchema, pathParamSchema } from './entity-fields.ts';
import { listQuerySchema } from './list-query.ts';
import { getHandler, listHandler } from './read-handlers.ts';
import { createHandler, deleteHandler, updateHandler } from './write-handlers.ts';

/**
 * Registers the generated endpoints (`does: create|list|get|update|delete Entity`) under the API
 * base path. Each route runs: authorization (onRequest) -> mass-assignment guard (preValidation)
 * -> schema validation (params, query, body) -> handler.
 *
 * @example
 * registerCrud(app, model, { storage, auth }); // GET /api/links, POST /api/links, GET /api/links/:code ...
 */
export function registerCrud(app: FastifyInstance, model: SystemModel, deps: { storage: Storage; auth: AuthService; only?: readonly Endpoint[] }): void {
  // `only`: the endpoints of one component process (`serve --component`); `model` stays whole, since the
  // rules the routes apply (who may read a related record) look at every endpoint of the system.
  for (const endpoint of deps.only ?? model.api.endpoints) {
    if (endpoint.operation === 'custom' || !endpoint.entity) continue;
    const route = crudRoute(model, deps.storage, entityOf(model, endpoint.entity), endpoint);
    app.route(routeOptions(route, endpoint.operation, deps.auth));
  }
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const HANDLERS: Record<CrudOperation, (route: CrudRoute, auth: AuthService) => Handler> = {
  list: (route) => listHandler(route),
  get: (route) => getHandler(route),
  create: (route, auth) => createHandler(route, auth),
  update: (route) => updateHandler(route),
  delete: (route) => deleteHandler(route),
};

function routeOptions(route: CrudRoute, operation: CrudOperation, auth: AuthService): RouteOptions {
  const { model, entity, endpoint } = route;
  const params: Record<string, Record<string, unknown>> = {};
  for (const p of endpoint.pathParams) params[p] = pathParamSchema(model, entity, p, p === route.idParam);
  const body = bodyFor(route, operation);
  const options: RouteOptions = {
    method: endpoint.method,
    url: fastifyUrl(model, endpoint.route),
    config: { endpoint: endpoint.key },
    schema: {
      ...(endpoint.pathParams.length ? { params: objectSchema(params, endpoint.pathParams) } : {}),
      ...(operation === 'list' ? { querystring: listQuerySchema(model, entity, endpoint) } : { querystring: objectSchema({}) }),
      ...(body ? { body } : {}),
    },
    onRequest: authorizationHook(model, endpoint),
    handler: HANDLERS[operation](route, auth),
  };
  if (body) {
    const allowed = new Set(Object.keys((body as { properties: object }).properties));
    options.preValidation = rejectUnwritable(route, allowed);
  }
  return options;
}

function bodyFor(route: CrudRoute, operation: CrudOperation): Record<string, unknown> | undefined {
  const { model, entity, endpoint } = route;
  if (operation === 'create') return bodySchema(model, entity, endpoint, 'create');
  if (operation === 'update') return bodySchema(model, entity, endpoint, endpoint.method === 'PUT' ? 'replace' : 'patch');
  return undefined;
}

/** The spec endpoint a request was routed to (for logs and metrics), if any. */
export function endpointOf(model: SystemModel, request: FastifyRequest): Endpoint | undefined {
  const key = request.routeOptions.config.endpoint;
  return key ? model.api.endpoints.find((e) => e.key === key) : undefined;
}
