import { describe, it, expect } from 'vitest';
import { SignJWT } from 'jose';
import { ApiError } from '../api-error.ts';
import { signAccessToken, tokenIssuer, verifyAccessToken, type AccessTokenConfig } from './tokens.ts';
import { linkly } from './auth-test-support.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const key = new TextEncoder().encode('k'.repeat(48));
const config: AccessTokenConfig = { key, issuer: 'linkly', ttlMs: 15 * 60_000, now: () => T0 };
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function rejection(token: string, cfg: AccessTokenConfig = config): Promise<ApiError> {
  const err = await verifyAccessToken(cfg, token).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe('invalid_token');
  expect((err as ApiError).status).toBe(401);
  return err as ApiError;
}

describe('access tokens', () => {
  it('names the issuer after the system in kebab case', () => {
    expect(tokenIssuer(linkly())).toBe('linkly');
    expect(tokenIssuer(linkly((s) => { s.system.name = 'LinklyPro EU'; }))).toBe('linkly-pro-eu');
  });

  it('round-trips user, roles, session and lifetime', async () => {
    const token = await signAccessToken(config, 'u-1', ['user'], 'fam-1');
    const claims = await verifyAccessToken(config, token);
    expect(claims).toMatchObject({ userId: 'u-1', roles: ['user'], sessionId: 'fam-1', issuedAt: T0, expiresAt: new Date(T0.getTime() + 15 * 60_000) });
    const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ iss: 'linkly', aud: 'archspec', sub: 'u-1', roles: ['user'] });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a token signed with another key', async () => {
    const token = await signAccessToken({ ...config, key: new TextEncoder().encode('x'.repeat(48)) }, 'u-1', ['admin'], 'f');
    expect((await rejection(token)).detail).toMatch(/signed with another key or altered/);
  });

  it('rejects a token whose payload was altered', async () => {
    const [h, , s] = (await signAccessToken(config, 'u-1', ['user'], 'f')).split('.');
    const forged = `${h}.${b64({ iss: 'linkly', aud: 'archspec', sub: 'u-1', roles: ['admin'], sid: 'f', jti: 'j', iat: 1, exp: 4e9 })}.${s}`;
    expect((await rejection(forged)).detail).toMatch(/signature does not verify/);
  });

  it('rejects alg:none', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'linkly', aud: 'archspec', sub: 'u-1', roles: ['admin'], sid: 'f', jti: 'j', iat: 1, exp: 4e9 })}.`;
    expect((await rejection(unsigned)).detail).toBe('Unsigned tokens (alg: none) are not accepted.');
    expect((await rejection(unsigned.replace(b64({ alg: 'none', typ: 'JWT' }), b64({ alg: 'NONE' })))).detail).toMatch(/alg: none/);
  });

  it('rejects an algorithm other than HS256 even with the right secret', async () => {
    const token = await new SignJWT({ roles: ['user'], sid: 'f' }).setProtectedHeader({ alg: 'HS512' })
      .setIssuer('linkly').setAudience('archspec').setSubject('u-1').setIssuedAt().setExpirationTime('1h').setJti('j').sign(key);
    expect((await rejection(token)).detail).toBe('The access token is signed with HS512; only HS256 is accepted.');
  });

  it('rejects an expired token', async () => {
    const token = await signAccessToken(config, 'u-1', ['user'], 'f');
    const later = { ...config, now: () => new Date(T0.getTime() + 16 * 60_000) };
    expect((await rejection(token, later)).detail).toBe('The access token expired at 2026-01-01T00:15:00.000Z; refresh it or sign in again.');
  });

  it('rejects a wrong audience', async () => {
    const token = await new SignJWT({ roles: ['user'], sid: 'f' }).setProtectedHeader({ alg: 'HS256' })
      .setIssuer('linkly').setAudience('another-api').setSubject('u-1').setIssuedAt(T0).setExpirationTime('1h').setJti('j').sign(key);
    expect((await rejection(token)).detail).toMatch(/not meant for this API: its audience must be archspec/);
  });

  it('rejects a wrong issuer', async () => {
    const token = await signAccessToken({ ...config, issuer: 'other-system' }, 'u-1', ['user'], 'f');
    expect((await rejection(token)).detail).toMatch(/was not issued by linkly/);
  });

  it('rejects malformed tokens and malformed claims', async () => {
    expect((await rejection('abc')).detail).toMatch(/malformed/);
    expect((await rejection('a.b.c')).detail).toMatch(/malformed/);
    const badRoles = await new SignJWT({ roles: 'admin', sid: 'f' }).setProtectedHeader({ alg: 'HS256' })
      .setIssuer('linkly').setAudience('archspec').setSubject('u-1').setIssuedAt(T0).setExpirationTime('1h').setJti('j').sign(key);
    expect((await rejection(badRoles)).detail).toMatch(/roles a list of strings/);
  });
});
