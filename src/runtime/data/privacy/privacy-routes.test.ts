import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import type { Storage } from '../../../adapters/storage/storage.ts';
import { editedSpecModel } from '../../../model/test-support/edited-spec.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { ConfigError } from '../../config-error.ts';
import { exampleModel } from '../../test-support/example-models.ts';
import { registerPrivacyRoutes } from './privacy-routes.ts';

/** Which personal-data routes a spec gets, and the start-up failure when a spec endpoint takes one. */

const noStorage = {} as Storage;

async function routesOf(model: SystemModel): Promise<string[]> {
  const app = Fastify();
  const routes: string[] = [];
  app.addHook('onRoute', (route) => { if (route.method !== 'HEAD') routes.push(`${String(route.method)} ${route.url}`); });
  registerPrivacyRoutes(app, model, { storage: noStorage });
  await app.ready();
  return routes;
}

const linkly = (edit: (spec: any) => void) => editedSpecModel('examples/linkly/archspec.yaml', edit, 'linkly spec');

describe('registerPrivacyRoutes', () => {
  it('adds the self-service and the named-subject routes under the base path when the spec has an erasable rule', async () => {
    expect(await routesOf(await exampleModel('payments'))).toEqual([
      'GET /api/v1/privacy/export', 'POST /api/v1/privacy/erase', 'GET /api/v1/privacy/subjects/:id/export', 'POST /api/v1/privacy/subjects/:id/erase',
    ]);
  });

  it('adds nothing without an erasable rule', async () => {
    expect(await routesOf(linkly((s) => { s.requirements.data = s.requirements.data.filter((r: any) => r.rule !== 'erasable'); }))).toEqual([]);
  });

  it('adds only the named-subject routes when the subject is not the account entity', async () => {
    const model = linkly((s) => {
      s.data.Contact = { fields: { email: { type: 'email', pii: true } } };
      s.architecture.storage.primary.holds.push('Contact');
      s.requirements.data = s.requirements.data.map((r: any) => (r.rule === 'erasable' ? { rule: 'erasable', entity: 'Contact' } : r));
    });
    expect(await routesOf(model)).toEqual(['GET /api/privacy/subjects/:id/export', 'POST /api/privacy/subjects/:id/erase']);
  });

  it('fails start-up, naming the endpoint, when a spec endpoint takes one of the routes (whatever its parameter is called)', () => {
    const model = linkly((s) => { s.api.endpoints['POST /privacy/subjects/{user}/erase'] = { handler: './handlers/visit.ts', roles: ['admin'], component: 'links' }; });
    const app = Fastify();
    expect(() => registerPrivacyRoutes(app, model, { storage: noStorage })).toThrow(ConfigError);
    expect(() => registerPrivacyRoutes(app, model, { storage: noStorage })).toThrow(/"POST \/privacy\/subjects\/\{user\}\/erase" takes the route of the built-in personal-data route POST \/api\/privacy\/subjects\/\{id\}\/erase/);
  });
});
