import { describe, it, expect } from 'vitest';
import { apiKeyTagKey, createApiKey, findValidApiKey, isApiKeyOf } from './api-keys.ts';
import type { ApiKeyRecord, SystemStore } from '../../adapters/storage/storage.ts';
import { ApiError } from '../api-error.ts';

const tagKey = apiKeyTagKey('s'.repeat(40));

/** Just the API-key half of SystemStore, in a Map, to look at what gets stored. */
function keyStore(): SystemStore & { keys: Map<string, ApiKeyRecord> } {
  const keys = new Map<string, ApiKeyRecord>();
  const unused = () => { throw new Error('not used by API keys'); };
  return {
    keys,
    insertApiKey: async (k) => { keys.set(k.keyHash, k); },
    findApiKey: async (h) => keys.get(h),
    revokeApiKey: async (id, at) => { for (const k of keys.values()) if (k.id === id) k.revokedAt = at; },
    setPasswordHash: unused, getPasswordHash: unused, insertRefreshToken: unused, getRefreshToken: unused,
    markRefreshTokenUsed: unused, revokeRefreshFamily: unused, revokeRefreshTokensOfUser: unused, removeCredentialsOfUser: unused,
  };
}

describe('API keys', () => {
  it('stores only the SHA-256 of the key, never the key itself', async () => {
    const store = keyStore();
    const created = await createApiKey(store, { userId: 'u1', roles: ['user', 'admin'] }, ['user'], tagKey, new Date(0));
    const [record] = [...store.keys.values()];
    expect(record).toMatchObject({ id: created.id, userId: 'u1', roles: ['user'] });
    // The secret is everything after `ak_<id>_` (base64url, so it may itself contain `_`).
    expect(JSON.stringify(record)).not.toContain(created.key.slice(`ak_${created.id}_`.length));
    expect(await findValidApiKey(store, created.key)).toBe(record);
  });

  it('ties the id to its owner so only they can claim it', async () => {
    const { id } = await createApiKey(keyStore(), { userId: 'u1', roles: ['user'] }, undefined, tagKey, new Date(0));
    expect(isApiKeyOf(id, 'u1', tagKey)).toBe(true);
    expect(isApiKeyOf(id, 'u2', tagKey)).toBe(false);
    expect(isApiKeyOf(id, 'u1', apiKeyTagKey('t'.repeat(40)))).toBe(false);
    expect(isApiKeyOf('not-hex', 'u1', tagKey)).toBe(false);
  });

  it('rejects a key whose secret part was changed', async () => {
    const store = keyStore();
    const { key } = await createApiKey(store, { userId: 'u1', roles: ['user'] }, undefined, tagKey, new Date(0));
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    const err = await findValidApiKey(store, tampered).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).detail).toBe('The API key is not recognised.');
  });
});
