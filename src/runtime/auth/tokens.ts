import { randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';

/**
 * First-party access tokens: short-lived HS256 JWTs signed with the server's secret.
 * Claims: `iss` (the system name in kebab case), `aud` ('archspec'), `sub` (user id), `roles`,
 * `sid` (the refresh-token family the session belongs to, so logout can revoke it), `iat`, `exp`
 * (`api.auth.accessTtl` later) and a random `jti`.
 */

/** The audience every first-party access token carries. */
export const ACCESS_TOKEN_AUDIENCE = 'archspec';

/** The claims of a verified access token. */
export interface AccessClaims {
  userId: string;
  roles: string[];
  sessionId: string;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** What signing and verification need: the key, the issuer, the lifetime and the clock. */
export interface AccessTokenConfig {
  key: Uint8Array;
  issuer: string;
  ttlMs: number;
  now: () => Date;
}

const cryptoKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

/**
 * The secret as an HS256 CryptoKey, imported once per key: given raw bytes (or a secret KeyObject,
 * which it exports to bytes), jose imports a CryptoKey on every sign and verify.
 */
function secretKey(key: Uint8Array): Promise<CryptoKey> {
  let made = cryptoKeys.get(key);
  if (!made) {
    cryptoKeys.set(key, made = webcrypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']));
    made.catch(() => cryptoKeys.delete(key)); // a failure is reported to the caller, not remembered
  }
  return made;
}

/** The `iss` of a system's tokens: its name in kebab case ("Linkly Pro" -> "linkly-pro"). */
export function tokenIssuer(model: SystemModel): string {
  return model.system.name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Signs an access token for `userId` with `roles` in session `sessionId`; expires `ttlMs` after now. */
export async function signAccessToken(config: AccessTokenConfig, userId: string, roles: string[], sessionId: string): Promise<string> {
  const now = Math.floor(config.now().getTime() / 1000);
  return new SignJWT({ roles, sid: sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(config.issuer)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + Math.max(1, Math.round(config.ttlMs / 1000)))
    .setJti(randomUUID())
    .sign(await secretKey(config.key));
}

/**
 * Verifies an access token: HS256 only (`alg: none` and every other algorithm are refused), the
 * server's key, not expired at `config.now()`, issuer and audience as signed, and well-formed claims.
 *
 * @throws ApiError('invalid_token') with a detail saying which check failed
 */
export async function verifyAccessToken(config: AccessTokenConfig, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, await secretKey(config.key), {
      algorithms: ['HS256'],
      issuer: config.issuer,
      audience: ACCESS_TOKEN_AUDIENCE,
      currentDate: config.now(),
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    });
    const { sub, roles, sid, jti, iat, exp } = payload;
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string' || !Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
      throw ApiError.invalidToken('The access token is malformed: sub, sid and jti must be strings and roles a list of strings.');
    }
    return { userId: sub, roles, sessionId: sid, jti, issuedAt: new Date(iat! * 1000), expiresAt: new Date(exp! * 1000) };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // The header is read only for a failure's detail; a malformed or unsigned token is named as such
    // (signingAlgorithm throws), as jose refuses both too (only HS256 is allowed).
    const alg = signingAlgorithm(token);
    throw joseToApiError(err, { what: 'access token', issuer: config.issuer, audience: ACCESS_TOKEN_AUDIENCE, algorithms: ['HS256'], alg });
  }
}

/**
 * The `alg` of a compact JWS, refusing unsecured JWTs (`alg: none`) by name before any library sees them.
 *
 * @throws ApiError('invalid_token') for a token that is not a compact JWS or is unsigned
 */
export function signingAlgorithm(token: string): string {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw ApiError.invalidToken('The token is malformed: it is not a JWS in compact form (header.payload.signature).');
  }
  if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
    throw ApiError.invalidToken('Unsigned tokens (alg: none) are not accepted.');
  }
  return String(alg);
}

/** What a verification expected, for the detail of a failure. */
export interface TokenExpectation {
  what: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  /** The algorithm the token's header names. */
  alg: string;
}

/**
 * Translates a jose failure into ApiError('invalid_token') naming the failed check; an ApiError
 * passes through. Used for first-party and OIDC tokens alike.
 */
export function joseToApiError(err: unknown, expected: TokenExpectation): ApiError {
  if (err instanceof ApiError) return err;
  const { what, issuer, audience } = expected;
  if (err instanceof errors.JWTExpired) {
    const exp = typeof err.payload.exp === 'number' ? ` at ${new Date(err.payload.exp * 1000).toISOString()}` : '';
    return ApiError.invalidToken(`The ${what} expired${exp}; refresh it or sign in again.`);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return ApiError.invalidToken(`The ${what} was not issued by ${issuer} (iss ${err.reason}).`);
    if (err.claim === 'aud') return ApiError.invalidToken(`The ${what} is not meant for this API: its audience must be ${audience} (aud ${err.reason}).`);
    return ApiError.invalidToken(`The ${what} has an invalid ${err.claim} claim (${err.reason}).`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return ApiError.invalidToken(`The ${what} is signed with ${expected.alg}; only ${expected.algorithms.join(', ')} ${expected.algorithms.length === 1 ? 'is' : 'are'} accepted.`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return ApiError.invalidToken(`The ${what}'s signature does not verify: it was signed with another key or altered.`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) return ApiError.invalidToken(`The ${what} names a signing key the issuer does not publish.`);
  if (err instanceof errors.JOSEError) return ApiError.invalidToken(`The ${what} is malformed (${err.code}).`);
  return ApiError.invalidToken(`The ${what} could not be verified.`);
}
