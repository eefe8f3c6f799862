import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tracer } from '@opentelemetry/api';
import { withSpan } from '../observability/tracing.ts';
import type { Endpoint, SystemModel } from '../../model/system-model.ts';
import { authorizationHook, fastifyUrl } from '../authorization.ts';
import { nullableFieldSchema, objectSchema } from '../validation.ts';
import type { Handler, HandlerContext, HandlerUser } from './handler-context.ts';
import { responseHelpers, sendHandlerResult } from './handler-response.ts';
import { workContext, type WorkServices } from './work-context.ts';

/** What custom endpoints share across requests. */
export interface HandlerServices extends WorkServices {
  handlers: Map<string, Handler>;
  tracer: Tracer;
}

/**
 * Registers the spec's custom endpoints: authorization, then the endpoint's declared `query:` and
 * `body:` fields as schemas (when declared; undeclared parts pass through to the handler), then the
 * handler inside one transaction; its events go to the outbox in that transaction, and the relay is
 * woken once it commits.
 */
export function registerHandlers(app: FastifyInstance, model: SystemModel, services: HandlerServices): void {
  for (const endpoint of model.api.endpoints) {
    const handler = services.handlers.get(endpoint.key);
    if (endpoint.operation !== 'custom' || !handler) continue;
    app.route({
      method: endpoint.method,
      url: fastifyUrl(model, endpoint.route),
      config: { endpoint: endpoint.key },
      schema: schemaOf(model, endpoint),
      onRequest: authorizationHook(model, endpoint),
      handler: async (request, reply) => {
        const result = await withSpan(services.tracer, `handler ${endpoint.key}`, () =>
          services.storage.transaction(async (tx) => handler(contextOf(model, request, workContext(services, tx, services.emitter(tx, { requestId: String(request.id) }), request.log)))),
          { 'archspec.handler': endpoint.handler ?? '' });
        services.afterCommit();
        return sendHandlerResult(reply, result);
      },
    });
  }
}

function schemaOf(model: SystemModel, endpoint: Endpoint): Record<string, unknown> {
  const fields = (list: Endpoint['body']) => Object.fromEntries(list.map((f) => [f.name, nullableFieldSchema(model, f)]));
  const required = (list: Endpoint['body']) => list.filter((f) => f.required && f.default === undefined).map((f) => f.name);
  return {
    ...(endpoint.query.length ? { querystring: objectSchema(fields(endpoint.query), required(endpoint.query)) } : {}),
    ...(endpoint.body.length ? { body: objectSchema(fields(endpoint.body), required(endpoint.body)) } : {}),
  };
}

function userOf(request: FastifyRequest): HandlerUser | undefined {
  const caller = request.caller;
  return caller ? { ...caller, id: caller.userId, role: caller.roles[0] } : undefined;
}

function contextOf(model: SystemModel, request: FastifyRequest, work: ReturnType<typeof workContext>): HandlerContext {
  return {
    ...work,
    user: userOf(request),
    params: request.params as Record<string, string>,
    query: request.query as Record<string, unknown>,
    body: request.body,
    rawBody: request.rawBody,
    headers: request.headers,
    ip: request.ip,
    ...responseHelpers(request.url, model.api.basePath),
  };
}
