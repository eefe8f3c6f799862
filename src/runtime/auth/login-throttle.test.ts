import { describe, it, expect } from 'vitest';
import { ApiError } from '../api-error.ts';
import { MemoryCounterStore } from '../../adapters/counters/memory/memory-counter-store.ts';
import { LoginThrottle, loginLimitOf, type LoginLimitScope } from './login-throttle.ts';
import { linkly } from './auth-test-support.ts';

function throttleAt(start: number, limit = { max: 3, windowMs: 60_000 }) {
  const clock = { ms: start };
  const refused: LoginLimitScope[][] = [];
  const throttle = new LoginThrottle(new MemoryCounterStore({ now: () => clock.ms }), limit, { onRefused: (scopes) => refused.push(scopes) });
  return { throttle, clock, refused };
}

async function refusal(p: Promise<void>): Promise<ApiError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('loginLimitOf', () => {
  it('reads the spec limit and defaults to 5 per minute', () => {
    expect(loginLimitOf(linkly())).toEqual({ max: 5, windowMs: 60_000 });
    expect(loginLimitOf(linkly((s) => { s.api.auth.loginLimit = '20/hour'; }))).toEqual({ max: 20, windowMs: 3_600_000 });
    expect(loginLimitOf(linkly((s) => { delete s.api.auth.loginLimit; }))).toEqual({ max: 5, windowMs: 60_000 });
  });

  it('keeps a fractional rate exact by widening the window, and allows at least one attempt', () => {
    expect(loginLimitOf(linkly((s) => { s.api.auth.loginLimit = '0.5/min'; }))).toEqual({ max: 1, windowMs: 120_000 });
    expect(loginLimitOf(linkly((s) => { s.api.auth.loginLimit = '0/min'; }))).toEqual({ max: 1, windowMs: 60_000 });
  });
});

describe('LoginThrottle', () => {
  it('locks an account out after N failures with 429 and Retry-After until the window ends', async () => {
    const { throttle, clock, refused } = throttleAt(0);
    for (let i = 0; i < 3; i++) { await throttle.check('ann@x.io', '1.1.1.1'); await throttle.failed('ann@x.io', `10.0.0.${i}`); }
    clock.ms = 20_000;
    const err = await refusal(throttle.check('ANN@x.io', '2.2.2.2'));
    expect(err.code).toBe('too_many_requests');
    expect(err.status).toBe(429);
    expect(err.extra).toEqual({ retryAfterSeconds: 40, headers: { 'Retry-After': '40' } });
    expect(refused).toEqual([['account']]);
    clock.ms = 60_000;
    await expect(throttle.check('ann@x.io', '2.2.2.2')).resolves.toBeUndefined();
  });

  it('locks an IP out after N failures across different accounts', async () => {
    const { throttle, refused } = throttleAt(0);
    for (const a of ['a@x.io', 'b@x.io', 'c@x.io']) await throttle.failed(a, '9.9.9.9');
    expect((await refusal(throttle.check('d@x.io', '9.9.9.9'))).code).toBe('too_many_requests');
    await expect(throttle.check('d@x.io', '8.8.8.8')).resolves.toBeUndefined();
    expect(refused).toEqual([['ip']]);
  });

  it('counts an IPv6 client by its /64 network, and an IPv4-mapped address as the IPv4 one', async () => {
    const { throttle } = throttleAt(0);
    for (const host of ['1', '2', '3']) await throttle.failed(`u${host}@x.io`, `2001:db8:0:1::${host}`);
    expect((await refusal(throttle.check('d@x.io', '2001:db8:0:1:ffff::9'))).code).toBe('too_many_requests');
    await expect(throttle.check('d@x.io', '2001:db8:0:2::1')).resolves.toBeUndefined();
    for (const a of ['a@x.io', 'b@x.io', 'c@x.io']) await throttle.failed(a, '::ffff:10.1.1.1');
    expect((await refusal(throttle.check('d@x.io', '10.1.1.1'))).code).toBe('too_many_requests');
  });

  it('resets the account count after a successful login but keeps the IP count', async () => {
    const { throttle } = throttleAt(0);
    for (let i = 0; i < 3; i++) await throttle.failed('ann@x.io', '1.1.1.1');
    expect((await refusal(throttle.check('ann@x.io', '3.3.3.3'))).code).toBe('too_many_requests');
    await throttle.succeeded('ann@x.io');
    await expect(throttle.check('ann@x.io', '3.3.3.3')).resolves.toBeUndefined();
    expect((await refusal(throttle.check('bob@x.io', '1.1.1.1'))).code).toBe('too_many_requests');
  });
});
