import { expect, it } from 'vitest';
import type { SuiteContext } from './storage-fixture.ts';

/** archspec's own tables: password hashes, rotating refresh tokens, API keys. */
export function systemTests(ctx: SuiteContext): void {
  it('stores one password hash per user and replaces it', async () => {
    const s = await ctx.open();
    expect(await s.system.getPasswordHash('u1')).toBeUndefined();
    await s.system.setPasswordHash('u1', '$argon2id$one');
    await s.system.setPasswordHash(42, '$argon2id$num');
    await s.system.setPasswordHash('u1', '$argon2id$two');
    expect(await s.system.getPasswordHash('u1')).toBe('$argon2id$two');
    expect(await s.system.getPasswordHash('42')).toBe('$argon2id$num');
  });

  it('marks a refresh token used once and revokes families and users', async () => {
    const s = await ctx.open();
    const token = { familyId: 'fam-1', userId: 'u1', issuedAt: '2025-01-01T00:00:00.000Z', expiresAt: '2025-02-01T00:00:00.000Z' };
    await s.system.insertRefreshToken({ ...token, tokenHash: 'h1' });
    await s.system.insertRefreshToken({ ...token, tokenHash: 'h2' });
    await s.system.insertRefreshToken({ ...token, tokenHash: 'h3', familyId: 'fam-2' });
    await s.system.insertRefreshToken({ ...token, tokenHash: 'h4', familyId: 'fam-3', userId: 'u2' });
    expect(await s.system.getRefreshToken('h1')).toEqual({ ...token, tokenHash: 'h1', usedAt: null, revokedAt: null });
    expect(await s.system.getRefreshToken('nope')).toBeUndefined();
    const [a, b] = await Promise.all([s.system.markRefreshTokenUsed('h1', '2025-01-02T00:00:00.000Z'), s.system.markRefreshTokenUsed('h1', '2025-01-02T00:00:01.000Z')]);
    expect([a, b].sort()).toEqual([false, true]);
    expect(await s.system.markRefreshTokenUsed('h1', '2025-01-03T00:00:00.000Z')).toBe(false);
    expect((await s.system.getRefreshToken('h1'))?.usedAt).toMatch(/^2025-01-02T00:00:0[01]\.000Z$/);
    await s.system.revokeRefreshFamily('fam-1', '2025-01-04T00:00:00.000Z');
    expect((await s.system.getRefreshToken('h2'))?.revokedAt).toBe('2025-01-04T00:00:00.000Z');
    expect((await s.system.getRefreshToken('h3'))?.revokedAt).toBeNull();
    await s.system.revokeRefreshTokensOfUser('u1', '2025-01-05T00:00:00.000Z');
    expect((await s.system.getRefreshToken('h3'))?.revokedAt).toBe('2025-01-05T00:00:00.000Z');
    expect((await s.system.getRefreshToken('h2'))?.revokedAt).toBe('2025-01-04T00:00:00.000Z');
    expect((await s.system.getRefreshToken('h4'))?.revokedAt).toBeNull();
  });

  it('finds API keys by hash with their roles, and revokes them', async () => {
    const s = await ctx.open();
    const key = { id: 'k1', keyHash: 'sha256:abc', userId: 'u1', roles: ['admin', 'reporter'], createdAt: '2025-01-01T00:00:00.000Z' };
    await s.system.insertApiKey(key);
    expect(await s.system.findApiKey('sha256:abc')).toEqual({ ...key, revokedAt: null });
    expect(await s.system.findApiKey('sha256:other')).toBeUndefined();
    await expect(s.system.insertApiKey({ ...key, id: 'k2' })).rejects.toThrow();
    await s.system.revokeApiKey('k1', '2025-01-02T00:00:00.000Z');
    expect((await s.system.findApiKey('sha256:abc'))?.revokedAt).toBe('2025-01-02T00:00:00.000Z');
  });

  it('removes every credential of one user at once (account erasure)', async () => {
    const s = await ctx.open();
    await s.system.setPasswordHash('u1', '$argon2id$one');
    await s.system.setPasswordHash('u2', '$argon2id$two');
    const token = { familyId: 'fam-1', userId: 'u1', issuedAt: '2025-01-01T00:00:00.000Z', expiresAt: '2025-02-01T00:00:00.000Z' };
    await s.system.insertRefreshToken({ ...token, tokenHash: 'h1' });
    await s.system.insertRefreshToken({ ...token, tokenHash: 'h2', userId: 'u2', familyId: 'fam-2' });
    await s.system.insertApiKey({ id: 'k1', keyHash: 'kh1', userId: 'u1', roles: ['user'], createdAt: '2025-01-01T00:00:00.000Z' });
    await s.system.insertApiKey({ id: 'k2', keyHash: 'kh2', userId: 'u2', roles: ['user'], createdAt: '2025-01-01T00:00:00.000Z' });
    await s.transaction((tx) => tx.removeCredentialsOfUser('u1', '2025-01-03T00:00:00.000Z'));
    expect(await s.system.getPasswordHash('u1')).toBeUndefined();
    expect((await s.system.getRefreshToken('h1'))?.revokedAt).toBe('2025-01-03T00:00:00.000Z');
    expect((await s.system.findApiKey('kh1'))?.revokedAt).toBe('2025-01-03T00:00:00.000Z');
    expect(await s.system.getPasswordHash('u2')).toBe('$argon2id$two');
    expect((await s.system.getRefreshToken('h2'))?.revokedAt).toBeNull();
    expect((await s.system.findApiKey('kh2'))?.revokedAt).toBeNull();
    await s.system.removeCredentialsOfUser('u2', '2025-01-04T00:00:00.000Z');
    expect(await s.system.getPasswordHash('u2')).toBeUndefined();
  });
}
