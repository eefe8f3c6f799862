import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { exampleModel } from '../test-support/example-models.ts';
import { registerRequestContext, runAs } from '../request-context.ts';
import { asCacheFill } from '../cache/cache-fill.ts';
import { followRequest } from '../cache/request-activity.ts';
import { ConfigError, resolveServeConfig } from '../config.ts';
import { replicaRouting } from './replica-routing.ts';

const model = await exampleModel('linkly');
const routing = replicaRouting(model);

/** What the routing answers inside a real request (`as`: the authenticated caller; `follow`: the response cache follows it). */
async function inRequest(method: 'GET' | 'HEAD' | 'POST' | 'PATCH', options: { as?: string; fill?: boolean; follow?: boolean } = {}) {
  const app = Fastify();
  registerRequestContext(app);
  let seen: { principal?: string; preferPrimary: boolean } | undefined;
  const observe = async () => ({ principal: routing.principal(), preferPrimary: routing.preferPrimary() });
  app.route({
    method, url: '/x',
    handler: async (request) => {
      if (options.as) request.caller = { userId: options.as, roles: ['user'], via: 'api-key', apiKeyId: 'k1' };
      if (options.follow) followRequest(request);
      seen = options.fill ? await asCacheFill(observe) : await observe();
      return method === 'HEAD' ? '' : {};
    },
  });
  await app.inject({ method, url: '/x' });
  await app.close();
  return seen!;
}

describe('replicaRouting', () => {
  it("names the signed-in user as the principal, the same with a token or an API key", async () => {
    expect((await inRequest('GET', { as: '42' })).principal).toBe('user:42');
    expect((await inRequest('GET')).principal).toBeUndefined();
    expect(routing.principal()).toBeUndefined();
  });

  it('lets only the reads of GET and HEAD requests use a replica', async () => {
    expect((await inRequest('GET', { as: '42' })).preferPrimary).toBe(false);
    expect((await inRequest('HEAD')).preferPrimary).toBe(false);
    expect((await inRequest('POST', { as: '42' })).preferPrimary).toBe(true);
    expect((await inRequest('PATCH', { as: '42' })).preferPrimary).toBe(true);
    expect(runAs({ source: 'job', actor: 'job:purge-visits' }, () => routing.preferPrimary())).toBe(true);
    expect(routing.preferPrimary()).toBe(true);
  });

  it('sends reads that fill a cache to the primary', async () => {
    expect((await inRequest('GET', { as: '42', fill: true })).preferPrimary).toBe(true);
    expect((await inRequest('GET', { follow: true })).preferPrimary).toBe(true);
  });

  it("counts a new account's record as a write of the new user", () => {
    expect(routing.principalsCreatedBy!('User', { id: 'u-1', email: 'a@example.com' })).toEqual(['user:u-1']);
    expect(routing.principalsCreatedBy!('Link', { code: 'abc', owner: 'u-1' })).toEqual([]);
  });
});

describe('DATABASE_REPLICA_URLS in the serve configuration', () => {
  const env = { DATABASE_URL: 'postgres://app@db:5432/app', ARCHSPEC_JWT_SECRET: 'x'.repeat(40), ARCHSPEC_KEY: Buffer.alloc(32, 7).toString('base64') };

  it('lists the replicas', () => {
    expect(resolveServeConfig(model, 'x.yaml', {}, { ...env, DATABASE_REPLICA_URLS: 'postgres://r1/app,postgres://r2/app' }, false).replicaUrls).toEqual(['postgres://r1/app', 'postgres://r2/app']);
    expect(resolveServeConfig(model, 'x.yaml', {}, env, false).replicaUrls).toEqual([]);
  });

  it('is a ConfigError naming the variable, with a hint', () => {
    const resolve = () => resolveServeConfig(model, 'x.yaml', {}, { ...env, DATABASE_REPLICA_URLS: 'mysql://u:hunter2@r1/app' }, false);
    expect(resolve).toThrow(ConfigError);
    expect(resolve).toThrow(/^DATABASE_REPLICA_URLS is not a postgres:\/\/ or postgresql:\/\/ URL$/);
    try { resolve(); } catch (e) { expect((e as ConfigError).hint).toMatch(/^set DATABASE_REPLICA_URLS to/); }
  });
});
