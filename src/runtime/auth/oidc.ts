import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { SystemModel } from '../../model/system-model.ts';
import { ApiError } from '../api-error.ts';
import type { Caller } from './auth-contract.ts';
import { joseToApiError, signingAlgorithm } from './tokens.ts';

/** Signature algorithms accepted from an OpenID Connect issuer. */
export const OIDC_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Verifies bearer tokens from the OpenID Connect issuer of `api.auth.oidc`: RS256 or ES256 only,
 * signed by a key of the issuer's JWKS (`jwksUrl`, or `jwks_uri` from the issuer's
 * `/.well-known/openid-configuration`, fetched once), with `iss` and `aud` as configured, not
 * expired at `now()`. The caller is `sub`, with the roles of the token's `roles` claim that the spec
 * defines, or `user` (when defined) if it names none.
 *
 * @example
 * const verify = oidcVerifier(model, () => new Date());
 * const caller = await verify(bearerToken); // { userId: sub, roles: ['user'], via: 'oidc' }
 */
export function oidcVerifier(model: SystemModel, now: () => Date): (token: string) => Promise<Caller> {
  const config = model.api.auth.oidc;
  if (!config) throw new Error('oidcVerifier needs api.auth.oidc (issuer and audience)');
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const defined = new Set(model.security.roles.map((r) => r.name));
  const fallbackRoles = defined.has('user') ? ['user'] : [];

  return async (token) => {
    const alg = signingAlgorithm(token);
    keys ??= jwksOf(config).catch((err: unknown) => { keys = undefined; throw err; });
    try {
      const { payload } = await jwtVerify(token, await keys, {
        algorithms: OIDC_ALGORITHMS, issuer: config.issuer, audience: config.audience, currentDate: now(), requiredClaims: ['sub', 'exp'],
      });
      const claimed = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string' && defined.has(r)) : [];
      return { userId: payload.sub!, roles: claimed.length > 0 ? claimed : fallbackRoles, via: 'oidc' };
    } catch (err) {
      if (isKeySourceFailure(err)) {
        throw new ApiError('service_unavailable', `The signing keys of ${config.issuer} could not be fetched; try again shortly.`);
      }
      throw joseToApiError(err, { what: 'token', issuer: config.issuer, audience: config.audience, algorithms: OIDC_ALGORITHMS, alg });
    }
  };
}

/** The issuer's key set: the configured JWKS URL, or the one its discovery document names. */
async function jwksOf(config: { issuer: string; jwksUrl?: string }): Promise<JWTVerifyGetKey> {
  if (config.jwksUrl) return createRemoteJWKSet(new URL(config.jwksUrl));
  const discovery = `${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let jwksUri: unknown;
  try {
    const res = await fetch(discovery, { signal: AbortSignal.timeout(5000) });
    if (res.ok) jwksUri = ((await res.json()) as { jwks_uri?: unknown }).jwks_uri;
  } catch {
    // reported below as an unreachable key source
  }
  if (typeof jwksUri !== 'string') throw new ApiError('service_unavailable', `The OpenID configuration of ${config.issuer} (${discovery}) could not be read.`);
  return createRemoteJWKSet(new URL(jwksUri));
}

/** Whether verification failed because the key set could not be fetched, not because of the token. */
function isKeySourceFailure(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return true;
  // jose reports a non-200 or unparsable JWKS response with its generic error class.
  if (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC') return true;
  return !(err instanceof errors.JOSEError) && !(err instanceof ApiError);
}
