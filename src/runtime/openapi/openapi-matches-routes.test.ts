import { describe, expect, it } from 'vitest';
import Fastify, { type RouteOptions } from 'fastify';
import type { Storage } from '../../adapters/storage/storage.ts';
import type { SystemModel } from '../../model/system-model.ts';
import type { AuthService } from '../auth/auth-contract.ts';
import { createAuth } from '../auth/create-auth.ts';
import { registerCrud } from '../crud/register-crud.ts';
import { registerPrivacyRoutes } from '../data/privacy/privacy-routes.ts';
import { EXAMPLES, exampleModel } from '../test-support/example-models.ts';
import { openApiDocument } from './openapi-document.ts';

/**
 * The document describes the routes the server really registers: the generated CRUD routes, the
 * auth routes and the personal-data routes are registered on a bare Fastify app (no storage is touched while registering)
 * and their validation schemas compared with the document's parameters and request bodies.
 */

type Doc = any;
const noStorage = {} as Storage;
const noAuth: AuthService = { authenticate: async () => undefined, registerRoutes: () => {}, preparePassword: async () => ({ hash: '' }), storePassword: async () => {} };

async function registeredRoutes(model: SystemModel): Promise<RouteOptions[]> {
  const app = Fastify();
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => { if (route.method !== 'HEAD') routes.push(route); });
  registerCrud(app, model, { storage: noStorage, auth: noAuth });
  createAuth(model, noStorage, { jwtSecret: 'a-test-secret-of-at-least-32-bytes!' }).registerRoutes(app);
  registerPrivacyRoutes(app, model, { storage: noStorage });
  await app.ready();
  return routes;
}

/** `/api/links/:code` -> `/links/{code}`. */
function documentPath(model: SystemModel, url: string): string {
  return url.slice(model.api.basePath.length).replace(/:([^/]+)/g, '{$1}');
}

function resolve(doc: Doc, node: any): any {
  return node?.$ref ? node.$ref.slice(2).split('/').reduce((at: any, key: string) => at[key], doc) : node;
}

describe('the OpenAPI document matches the registered routes', () => {
  it.each(EXAMPLES)('%s: same routes, path and query parameters, and body fields', async (name) => {
    const model = await exampleModel(name);
    const doc: Doc = openApiDocument(model);
    const routes = await registeredRoutes(model);
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const method = String(route.method).toLowerCase();
      const label = `${method} ${route.url}`;
      const op = doc.paths[documentPath(model, route.url)]?.[method];
      expect(op, label).toBeDefined();
      const schema = (route.schema ?? {}) as { params?: any; querystring?: any; body?: any };
      const params = (op.parameters ?? []) as { name: string; in: string; schema: unknown }[];
      const pathParams = params.filter((p) => p.in === 'path');
      expect(pathParams.map((p) => p.name).sort(), label).toEqual(Object.keys(schema.params?.properties ?? {}).sort());
      for (const p of pathParams) expect(p.schema, `${label} path ${p.name}`).toMatchObject(schema.params.properties[p.name]);
      expect(params.filter((p) => p.in === 'query').map((p) => p.name).sort(), label).toEqual(Object.keys(schema.querystring?.properties ?? {}).sort());
      const body = resolve(doc, op.requestBody?.content['application/json'].schema);
      if (!schema.body) {
        expect(body, label).toBeUndefined();
        continue;
      }
      expect(Object.keys(body.properties), label).toEqual(Object.keys(schema.body.properties));
      expect(body.required ?? [], label).toEqual(schema.body.required ?? []);
      expect(body.additionalProperties, label).toBe(schema.body.additionalProperties);
      for (const [field, fieldSchema] of Object.entries(schema.body.properties)) expect(body.properties[field], `${label} ${field}`).toMatchObject(fieldSchema as object);
    }
  });
});
