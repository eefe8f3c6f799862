import { describe, expect, it } from 'vitest';
import type { SystemModel } from '../../model/system-model.ts';
import { API_ERRORS } from '../api-error.ts';
import { EXAMPLES, exampleModel } from '../test-support/example-models.ts';
import { openApiDocument, operationIds } from './openapi-document.ts';
import { statusesIn } from './openapi-operations.ts';

type Doc = any;
const linkly = await exampleModel('linkly');
const telehealth = await exampleModel('telehealth');

/** The target of a local `$ref`, or the object itself. */
function resolve(doc: Doc, node: any): any {
  return node?.$ref ? node.$ref.slice(2).split('/').reduce((at: any, key: string) => at[key.replace(/~1/g, '/')], doc) : node;
}

function operations(doc: Doc): [string, string, any][] {
  return Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) => Object.entries(ops).map(([method, op]) => [path, method, op] as [string, string, any]));
}

describe('openApiDocument', () => {
  it.each(EXAMPLES)('%s: every spec endpoint is an operation with a unique id, under the base path as server', async (name) => {
    const model: SystemModel = await exampleModel(name);
    const doc: Doc = openApiDocument(model);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: model.api.basePath, description: 'This server' }]);
    for (const ep of model.api.endpoints) {
      const op = doc.paths[ep.route]?.[ep.method.toLowerCase()];
      expect(op, ep.key).toBeDefined();
      expect(op.summary).toBe(ep.summary);
      expect(op.security).toEqual(ep.public ? [] : expect.arrayContaining([{ bearerAuth: [] }]));
    }
    const ids = operations(doc).map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes titles, servers and security schemes from the model', () => {
    const doc: Doc = openApiDocument(linkly, { origin: 'https://lnk.example/' });
    expect(doc.info).toMatchObject({ title: 'Linkly', summary: 'URL shortener: turn long URLs into short links and count every visit' });
    expect(doc.servers[0].url).toBe('https://lnk.example/api');
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      apiKeyAuth: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    });
    expect(doc.paths['/links'].post.security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }]);
  });

  it('offers API-key routes and scheme only when the spec enables API keys', () => {
    const doc: Doc = openApiDocument(telehealth);
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearerAuth']);
    expect(doc.paths['/auth/api-keys']).toBeUndefined();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/auth/'))).toEqual(['/auth/login', '/auth/refresh', '/auth/logout']);
    expect(openApiDocument(linkly).paths).toHaveProperty(['/auth/api-keys', 'post', 'security'], [{ bearerAuth: [] }]);
  });

  it('defines the RFC 9457 Problem schema and answers every error as problem+json', () => {
    const doc: Doc = openApiDocument(linkly);
    const problem = doc.components.schemas.Problem;
    expect(Object.keys(problem.properties)).toEqual(['type', 'title', 'status', 'code', 'detail', 'instance', 'errors']);
    expect(problem.properties.code.enum).toEqual(Object.keys(API_ERRORS));
    for (const [path, method, op] of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(resolve(doc, response).content), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
      }
    }
  });

  it('documents entity records with server fields read-only and writable fields in the input shapes', () => {
    const { schemas } = (openApiDocument(linkly) as Doc).components;
    expect(schemas.Link.properties.code).toMatchObject({ type: 'string', readOnly: true });
    for (const server of ['version', 'createdAt', 'updatedAt', 'deletedAt']) expect(schemas.Link.properties[server].readOnly).toBe(true);
    expect(schemas.User.properties.role.readOnly).toBe(true);
    expect(Object.keys(schemas.UserCreate.properties)).toEqual(['email', 'name', 'password']);
    expect(schemas.UserCreate.required).toEqual(['email', 'password']);
    expect(schemas.UserCreate.properties.password.writeOnly).toBe(true);
    expect(schemas.UserCreate.additionalProperties).toBe(false);
    // The owner is the caller: never in the input.
    expect(Object.keys(schemas.LinkCreate.properties)).toEqual(['target', 'title', 'expiresAt']);
    expect(schemas.LinkUpdate.required).toBeUndefined();
    expect(schemas.LinkUpdate.minProperties).toBe(1);
  });

  it('follows the pipeline conventions for list, create, update and delete', () => {
    const doc: Doc = openApiDocument(linkly);
    const list = doc.paths['/links'].get;
    const param = (op: any, name: string) => op.parameters.find((p: any) => p.name === name);
    expect(param(list, 'limit').schema).toEqual({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    for (const name of ['cursor', 'sort', 'fields', 'expand', 'count', 'expiresAt', 'expiresAt[gte]', 'owner', 'owner[in]']) expect(param(list, name), name).toBeDefined();
    expect(param(list, 'expiresAt[like]')).toBeUndefined(); // like is for text
    const page = resolve(doc, list.responses[200].content['application/json'].schema);
    expect(page.properties.items.items).toEqual({ $ref: '#/components/schemas/Link' });
    expect(Object.keys(page.properties)).toEqual(['items', 'nextCursor', 'total']);
    const create = doc.paths['/links'].post;
    expect(Object.keys(create.responses[201].headers)).toEqual(['ETag', 'Location']);
    const update = doc.paths['/links/{code}'].patch;
    expect(param(update, 'If-Match')).toMatchObject({ in: 'header', required: true });
    expect(Object.keys(update.responses)).toEqual(expect.arrayContaining(['200', '412', '428']));
    expect(update.responses[200].headers.ETag).toBeDefined();
    const remove = doc.paths['/links/{code}'].delete;
    expect(param(remove, 'If-Match')).toMatchObject({ in: 'header', required: false });
    expect(remove.responses[204]).toBeDefined();
    expect(doc.paths['/links'].post.responses).toHaveProperty('429');
  });

  it('describes custom endpoints from their declared fields and the statuses their returns text names', async () => {
    const payments: Doc = openApiDocument(await exampleModel('payments'));
    const pay = payments.paths['/payments'].post;
    expect(pay.operationId).toBe('createPayment');
    expect(pay.tags).toEqual(['payments']);
    expect(pay.requestBody.content['application/json'].schema.required).toEqual(['order', 'processorToken']);
    expect(Object.keys(pay.responses)).toEqual(expect.arrayContaining(['201', '402']));
    const webhook = payments.paths['/webhooks/processor'].post;
    expect(webhook.security).toEqual([]);
    expect(webhook.parameters).toContainEqual(expect.objectContaining({ name: 'X-Processor-Signature', in: 'header', required: true }));
    expect(Object.keys(webhook.responses)).toEqual(['204', '401', '429']);
    const redirect = (openApiDocument(linkly) as Doc).paths['/r/{code}'].get;
    expect(redirect.responses[302].headers.Location).toBeDefined();
  });
});

describe('statusesIn', () => {
  it('finds HTTP statuses named in a returns text, not other numbers', () => {
    expect(statusesIn('the Payment (201) with status captured, or failed and a decline code (402)')).toEqual([201, 402]);
    expect(statusesIn('204 once recorded; 401 for a bad signature or a timestamp older than 5 minutes')).toEqual([204, 401]);
    expect(statusesIn('up to 250 visits of the last 365 days')).toEqual([]);
  });
});

describe('operationIds', () => {
  it('names generated endpoints by operation and entity, custom ones by handler, and disambiguates clashes by path', () => {
    const ids = operationIds(telehealth.api.endpoints);
    expect(ids.get('GET /patients/{id}')).toBe('getPatient');
    expect(ids.get('POST /appointments')).toBe('bookAppointment');
    expect(ids.get('GET /notes')).toBe('listVisitNoteViaNotes');
    expect(ids.get('GET /users/{patient}/notes')).toBe('listVisitNoteViaUsersNotes');
  });
});
