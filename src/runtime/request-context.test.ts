import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { currentActor, currentRequestId, currentWork, registerRequestContext, runAs } from './request-context.ts';

describe('request context', () => {
  it('follows a request through later hooks, the handler and awaited work', async () => {
    const app = Fastify();
    registerRequestContext(app);
    app.decorateRequest('caller', undefined);
    app.addHook('onRequest', async (request) => {
      if (request.headers['x-user']) request.caller = { userId: String(request.headers['x-user']), roles: ['user'], via: 'jwt' };
    });
    app.addHook('preHandler', async () => { await new Promise((r) => setTimeout(r, 5)); });
    app.get('/who', async () => {
      await new Promise((r) => setImmediate(r));
      return { actor: currentActor(), requestId: currentRequestId(), source: currentWork()?.source };
    });
    const [a, b] = await Promise.all([
      app.inject({ url: '/who', headers: { 'x-user': 'u1' } }),
      app.inject({ url: '/who' }),
    ]);
    expect(a.json()).toMatchObject({ actor: 'user:u1', source: 'http' });
    expect(b.json()).toMatchObject({ actor: 'anonymous', source: 'http' });
    expect(a.json().requestId).not.toBe(b.json().requestId);
    await app.close();
  });

  it('names background work and is empty outside any', async () => {
    expect(currentActor()).toBe('system');
    const inside = await runAs({ source: 'job', actor: 'job:purge', requestId: 'run-1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return [currentActor(), currentRequestId()];
    });
    expect(inside).toEqual(['job:purge', 'run-1']);
  });
});
