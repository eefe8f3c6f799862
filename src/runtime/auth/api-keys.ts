import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, SystemStore } from '../../adapters/storage/storage.ts';
import { ApiError } from '../api-error.ts';
import { hashSecret } from './refresh-tokens.ts';

/**
 * API keys: `ak_<id>_<secret>`, stored only as the SHA-256 of the whole key, scoped to a subset of
 * the creating user's roles, revocable by id.
 *
 * The id is 8 random bytes followed by an 8-byte HMAC of (user id, random part) under a key derived
 * from the server secret, both hex. The storage contract cannot look a key up by id, so this tag is
 * what proves, without a database read, that an id presented for revocation belongs to the caller.
 */

/** Key of the ownership tag in ids, derived from the server's JWT secret (a separate purpose). */
export function apiKeyTagKey(jwtSecret: string): Buffer {
  return createHmac('sha256', jwtSecret).update('archspec api-key ids v1').digest();
}

/** A new key's id, its full text (shown once) and its roles. */
export interface NewApiKey {
  id: string;
  key: string;
  roles: string[];
}

/**
 * Creates and stores a key for `owner` limited to `requested` roles (default: all of the owner's).
 *
 * @throws ApiError('forbidden') when a requested role is not one the owner holds
 */
export async function createApiKey(store: SystemStore, owner: { userId: string; roles: string[] }, requested: string[] | undefined, tagKey: Buffer, now: Date): Promise<NewApiKey> {
  const roles = [...new Set(requested ?? owner.roles)];
  const foreign = roles.filter((r) => !owner.roles.includes(r));
  if (foreign.length > 0) throw ApiError.forbidden(`An API key can only carry roles you hold; you do not hold ${foreign.join(', ')}.`);
  const random = randomBytes(8).toString('hex');
  const id = random + ownerTag(tagKey, owner.userId, random);
  const key = `ak_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = { id, keyHash: hashSecret(key), userId: owner.userId, roles, createdAt: now.toISOString(), revokedAt: null };
  await store.insertApiKey(record);
  return { id, key, roles };
}

/**
 * The stored record of a presented key, if it is well formed, known and not revoked.
 *
 * @throws ApiError('invalid_token') naming which of those it is not
 */
export async function findValidApiKey(store: SystemStore, key: string): Promise<ApiKeyRecord> {
  const m = /^ak_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/.exec(key.trim());
  if (!m) throw ApiError.invalidToken('The API key is malformed: expected ak_<id>_<secret>.');
  const record = await store.findApiKey(hashSecret(key.trim()));
  if (!record || record.id !== m[1]) throw ApiError.invalidToken('The API key is not recognised.');
  if (record.revokedAt) throw ApiError.invalidToken(`The API key ${record.id} was revoked at ${record.revokedAt}.`);
  return record;
}

/** Whether key id `id` was created for `userId` (its tag verifies). */
export function isApiKeyOf(id: string, userId: string, tagKey: Buffer): boolean {
  if (!/^[0-9a-f]{32}$/.test(id)) return false;
  const expected = Buffer.from(ownerTag(tagKey, userId, id.slice(0, 16)), 'hex');
  return timingSafeEqual(expected, Buffer.from(id.slice(16), 'hex'));
}

/**
 * Revokes key `id` when it is the caller's own (or the caller may revoke any key, e.g. a superuser).
 * Revoking an id that matches no stored key changes nothing and still succeeds.
 *
 * @throws ApiError('not_found') for an id that is not the caller's, without saying whether it exists
 */
export async function revokeApiKey(store: SystemStore, id: string, caller: { userId: string; mayRevokeAny: boolean }, tagKey: Buffer, now: Date): Promise<void> {
  if (!caller.mayRevokeAny && !isApiKeyOf(id, caller.userId, tagKey)) throw ApiError.notFound(`You have no API key ${id}.`);
  await store.revokeApiKey(id, now.toISOString());
}

function ownerTag(tagKey: Buffer, userId: string, random: string): string {
  return createHmac('sha256', tagKey).update(`${userId}\n${random}`).digest('hex').slice(0, 16);
}
