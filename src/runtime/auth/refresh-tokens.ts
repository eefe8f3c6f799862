import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Storage, SystemStore } from '../../adapters/storage/storage.ts';
import { ApiError } from '../api-error.ts';
import type { SessionRevocations } from './session-revocations.ts';

/**
 * Rotating refresh tokens with reuse detection. A token is 32 random bytes (base64url), stored only
 * as its SHA-256; every login starts a family (its id is also the access tokens' `sid`). Each
 * refresh marks the presented token used and issues the next one in the same family. Presenting a
 * used token again means two parties hold the family (one of them stole it): the whole family is
 * revoked, the newest token included, and the caller must sign in again.
 */

/** Lifetime of each refresh token, the clock, and where revoked sessions are remembered. */
export interface RefreshConfig {
  ttlMs: number;
  now: () => Date;
  revocations: SessionRevocations;
}

/** The stored form of an opaque secret (refresh token, API key): SHA-256, base64url. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Starts a new family for `userId`; returns the family id and its first token. */
export async function startRefreshFamily(store: SystemStore, userId: string, config: RefreshConfig): Promise<{ familyId: string; token: string }> {
  const familyId = randomUUID();
  return { familyId, token: await issueRefreshToken(store, userId, familyId, config) };
}

/** Stores and returns a new refresh token of `familyId`, valid for `config.ttlMs`. */
async function issueRefreshToken(store: SystemStore, userId: string, familyId: string, config: RefreshConfig): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = config.now();
  await store.insertRefreshToken({
    tokenHash: hashSecret(token), familyId, userId,
    issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + config.ttlMs).toISOString(), usedAt: null, revokedAt: null,
  });
  return token;
}

/**
 * Exchanges `token` for the next token of its family. The mark-used and the insert commit together;
 * a token already used (now or by a concurrent request) is a reuse and revokes the family.
 *
 * @throws ApiError('invalid_token') for an unknown, revoked, expired or reused token
 */
export async function rotateRefreshToken(storage: Storage, token: string, config: RefreshConfig): Promise<{ userId: string; familyId: string; token: string }> {
  const tokenHash = hashSecret(token);
  const record = await storage.system.getRefreshToken(tokenHash);
  if (!record) throw ApiError.invalidToken('The refresh token is not recognised; sign in again.');
  if (record.revokedAt) throw ApiError.invalidToken('The refresh token has been revoked (logout or reuse); sign in again.');
  const now = config.now();
  if (!record.usedAt && Date.parse(record.expiresAt) <= now.getTime()) {
    throw ApiError.invalidToken(`The refresh token expired at ${record.expiresAt}; sign in again.`);
  }
  const next = record.usedAt ? undefined : await storage.transaction(async (tx) => {
    if (!(await tx.markRefreshTokenUsed(tokenHash, now.toISOString()))) return undefined;
    return issueRefreshToken(tx, record.userId, record.familyId, config);
  });
  if (next === undefined) {
    await revokeFamily(storage.system, record.familyId, config);
    throw ApiError.invalidToken('The refresh token was already used: every token of this session is revoked because it may have been stolen; sign in again.');
  }
  return { userId: record.userId, familyId: record.familyId, token: next };
}

/** Revokes the family `familyId` in storage and its access tokens in memory. */
export async function revokeFamily(store: SystemStore, familyId: string, config: RefreshConfig): Promise<void> {
  const now = config.now();
  await store.revokeRefreshFamily(familyId, now.toISOString());
  config.revocations.revokeSession(familyId, now.getTime());
}

/**
 * Logout: revokes the family of `token` or, with `all`, every family of its user, together with
 * their access tokens. Presenting an already used or revoked token still revokes (harmless, and it
 * stops whoever holds the newer token).
 *
 * @throws ApiError('invalid_token') when the token is not recognised (the user cannot be known)
 */
export async function logout(store: SystemStore, token: string, all: boolean, config: RefreshConfig): Promise<void> {
  const record = await store.getRefreshToken(hashSecret(token));
  if (!record) throw ApiError.invalidToken('The refresh token is not recognised.');
  if (!all) return revokeFamily(store, record.familyId, config);
  const now = config.now();
  await store.revokeRefreshTokensOfUser(record.userId, now.toISOString());
  config.revocations.revokeSession(record.familyId, now.getTime());
  config.revocations.revokeUser(record.userId, now.getTime());
}
