import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { ApiError } from '../api-error.ts';
import { oidcVerifier } from './oidc.ts';
import { linkly } from './auth-test-support.ts';

const T0 = new Date('2026-03-01T12:00:00Z');
let server: Server;
let issuer: string;
let rsa: CryptoKey;
let ec: CryptoKey;
let stranger: CryptoKey;

beforeAll(async () => {
  const rsaPair = await generateKeyPair('RS256');
  const ecPair = await generateKeyPair('ES256');
  rsa = rsaPair.privateKey;
  ec = ecPair.privateKey;
  stranger = (await generateKeyPair('RS256')).privateKey;
  const keys: JWK[] = [
    { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
    else if (req.url === '/keys') res.end(JSON.stringify({ keys }));
    else { res.statusCode = 404; res.end('{}'); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const model = () => linkly((s) => { s.api.auth = { method: 'oidc', oidc: { issuer, audience: 'linkly-api' } }; });
const sign = (key: CryptoKey, alg: string, kid: string, claims: { aud?: string; iss?: string; roles?: unknown; exp?: number } = {}) =>
  new SignJWT({ roles: claims.roles ?? ['admin', 'ghost'] }).setProtectedHeader({ alg, kid })
    .setIssuer(claims.iss ?? issuer).setAudience(claims.aud ?? 'linkly-api').setSubject('idp|42')
    .setIssuedAt(T0).setExpirationTime(claims.exp ?? Math.floor(T0.getTime() / 1000) + 3600).sign(key);

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('OIDC bearer tokens', () => {
  it('accepts RS256 and ES256 tokens from the issuer (found by discovery), keeping only roles the spec defines', async () => {
    const verify = oidcVerifier(model(), () => T0);
    expect(await verify(await sign(rsa, 'RS256', 'rsa-1'))).toEqual({ userId: 'idp|42', roles: ['admin'], via: 'oidc' });
    expect(await verify(await sign(ec, 'ES256', 'ec-1'))).toMatchObject({ roles: ['admin'] });
  });

  it('falls back to the user role when the token names no role the spec defines', async () => {
    const verify = oidcVerifier(model(), () => T0);
    expect(await verify(await sign(ec, 'ES256', 'ec-1', { roles: [] }))).toMatchObject({ roles: ['user'] });
    expect(await verify(await sign(ec, 'ES256', 'ec-1', { roles: 'admin' }))).toMatchObject({ roles: ['user'] });
  });

  it('rejects a token signed by a key the issuer does not publish', async () => {
    const verify = oidcVerifier(model(), () => T0);
    const err = await rejection(verify(await sign(stranger, 'RS256', 'rsa-1')));
    expect(err.code).toBe('invalid_token');
    expect(err.detail).toMatch(/signed with another key/);
  });

  it('rejects HS256 tokens, wrong audience, wrong issuer and expired tokens', async () => {
    const verify = oidcVerifier(model(), () => T0);
    const hs = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience('linkly-api').setSubject('x').setExpirationTime('1h').sign(new Uint8Array(32));
    expect((await rejection(verify(hs))).detail).toBe('The token is signed with HS256; only RS256, ES256 are accepted.');
    expect((await rejection(verify(await sign(rsa, 'RS256', 'rsa-1', { aud: 'other' })))).detail).toMatch(/audience must be linkly-api/);
    expect((await rejection(verify(await sign(rsa, 'RS256', 'rsa-1', { iss: 'https://evil.example' })))).detail).toMatch(/was not issued by/);
    const later = oidcVerifier(model(), () => new Date(T0.getTime() + 2 * 3_600_000));
    expect((await rejection(later(await sign(rsa, 'RS256', 'rsa-1')))).detail).toMatch(/expired/);
  });

  it('answers 503 when the issuer keys cannot be fetched', async () => {
    const broken = linkly((s) => { s.api.auth = { method: 'oidc', oidc: { issuer, audience: 'linkly-api', jwksUrl: `${issuer}/missing` } }; });
    const err = await rejection(oidcVerifier(broken, () => T0)(await sign(rsa, 'RS256', 'rsa-1')));
    expect(err.status).toBe(503);
  });
});
