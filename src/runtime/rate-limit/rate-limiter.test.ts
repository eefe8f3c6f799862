import { describe, expect, it } from 'vitest';
import { MemoryCounterStore } from '../../adapters/counters/memory/memory-counter-store.ts';
import { buildRateLimit } from '../../model/normalize/rate-limit.ts';
import { endpoint, linkly } from '../auth/auth-test-support.ts';
import { DEFAULT_SIGN_UP_LIMIT, endpointRateLimit, isSignUp } from './endpoint-limits.ts';
import { budgetOf, RateLimiter } from './rate-limiter.ts';

function limiterAt(start = 0) {
  const clock = { ms: start };
  const counters = new MemoryCounterStore({ now: () => clock.ms });
  return { clock, counters, limiter: new RateLimiter(counters) };
}

const ann = { ip: '10.0.0.1', userId: 'ann' };
const bob = { ip: '10.0.0.1', userId: 'bob' };

describe('budgetOf', () => {
  it('gives the string form the API key, else the user, else the client address', () => {
    expect(budgetOf('caller', { ip: '10.0.0.1', userId: 'ann', apiKeyId: 'k1' })).toBe('key:k1');
    expect(budgetOf('caller', { ip: '10.0.0.1', userId: 'ann' })).toBe('user:ann');
    expect(budgetOf('caller', { ip: '::ffff:10.0.0.1' })).toBe('ip:10.0.0.1');
  });

  it('applies per-user and per-key rules only to callers signed in that way', () => {
    expect(budgetOf('user', { ip: '10.0.0.1' })).toBeUndefined();
    expect(budgetOf('apiKey', { ip: '10.0.0.1', userId: 'ann' })).toBeUndefined();
    expect(budgetOf('apiKey', { ip: '10.0.0.1', userId: 'ann', apiKeyId: 'k1' })).toBe('key:k1');
    expect(budgetOf('ip', { ip: '2001:db8:0:7:1:2:3:4', userId: 'ann' })).toBe('ip:2001:db8:0:7::');
    expect(budgetOf('endpoint', { ip: '10.0.0.1' })).toBe('all');
  });
});

describe('RateLimiter', () => {
  it('admits max requests per window per caller, then refuses until the window ends', async () => {
    const { clock, limiter } = limiterAt();
    const limit = buildRateLimit('2/min');
    expect(await limiter.admit('POST /links', limit, ann)).toMatchObject({ admitted: true, reported: { remaining: 1, resetInMs: 60_000 } });
    expect(await limiter.admit('POST /links', limit, ann)).toMatchObject({ admitted: true, reported: { remaining: 0 } });
    clock.ms = 15_000;
    const refused = await limiter.admit('POST /links', limit, ann);
    expect(refused).toMatchObject({ admitted: false, reported: { rule: { per: 'caller', max: 2 }, remaining: 0, resetInMs: 45_000 } });
    expect(refused.exceeded).toHaveLength(1);
    expect((await limiter.admit('POST /links', limit, bob)).admitted).toBe(true);
    expect((await limiter.admit('GET /links', limit, ann)).admitted).toBe(true);
    clock.ms = 60_000;
    expect((await limiter.admit('POST /links', limit, ann)).admitted).toBe(true);
  });

  it('reports the rule with the fewest requests left, and on refusal the exceeded rule that ends last', async () => {
    const { clock, limiter } = limiterAt();
    const limit = buildRateLimit({ user: '3/min', ip: '2/s' });
    expect((await limiter.admit('GET /links', limit, ann)).reported).toMatchObject({ rule: { per: 'ip' }, remaining: 1 });
    expect((await limiter.admit('GET /links', limit, ann)).reported).toMatchObject({ rule: { per: 'ip' }, remaining: 0 });
    const both = await limiter.admit('GET /links', limit, ann);
    expect(both.exceeded.map((s) => s.rule.per)).toEqual(['ip']);
    clock.ms = 1_000;
    const byUser = await limiter.admit('GET /links', limit, ann);
    expect(byUser).toMatchObject({ admitted: false, reported: { rule: { per: 'user' }, resetInMs: 59_000 } });
  });

  it('does not spend the shared endpoint budget on requests a per-client rule refused', async () => {
    const { counters, limiter } = limiterAt();
    const limit = buildRateLimit({ user: '1/min', endpoint: '3/min' });
    await limiter.admit('GET /links', limit, ann);
    for (let i = 0; i < 5; i++) expect((await limiter.admit('GET /links', limit, ann)).admitted).toBe(false);
    expect((await counters.peek('rl:GET /links:endpoint:all')).count).toBe(1);
    expect((await limiter.admit('GET /links', limit, bob)).admitted).toBe(true);
    expect((await limiter.admit('GET /links', limit, { ip: '10.0.0.2', userId: 'cy' })).admitted).toBe(true);
    const shared = await limiter.admit('GET /links', limit, { ip: '10.0.0.3', userId: 'dee' });
    expect(shared).toMatchObject({ admitted: false, exceeded: [{ rule: { per: 'endpoint' } }] });
  });

  it('reports nothing when no rule applies to the caller', async () => {
    const { limiter } = limiterAt();
    expect(await limiter.admit('GET /links', buildRateLimit({ user: '1/min' }), { ip: '10.0.0.1' })).toEqual({ admitted: true, reported: undefined, exceeded: [] });
  });
});

describe('endpointRateLimit', () => {
  it('is the declared limit, or for sign-up without one the per-IP default', () => {
    const declared = linkly();
    expect(endpointRateLimit(declared, endpoint(declared, 'POST /users'))?.description).toBe('10/hour per caller');
    const undeclared = linkly((s) => { delete s.api.endpoints['POST /users'].rateLimit; });
    const signUp = endpoint(undeclared, 'POST /users');
    expect(isSignUp(undeclared, signUp)).toBe(true);
    expect(endpointRateLimit(undeclared, signUp)?.description).toBe(`${DEFAULT_SIGN_UP_LIMIT} per IP`);
    expect(endpointRateLimit(undeclared, endpoint(undeclared, 'GET /links'))).toBeUndefined();
  });

  it('does not treat a create of the user entity that needs a role as sign-up', () => {
    const model = linkly((s) => { s.api.endpoints['POST /users'] = { does: 'create User', roles: ['admin'] }; });
    expect(isSignUp(model, endpoint(model, 'POST /users'))).toBe(false);
    expect(endpointRateLimit(model, endpoint(model, 'POST /users'))).toBeUndefined();
  });
});
