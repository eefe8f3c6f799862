import type { Kysely } from 'kysely';
import type { ApiKeyRecord, RefreshTokenRecord, SystemStore } from './storage.ts';

const CREDENTIALS = '_archspec_credentials';
const REFRESH_TOKENS = '_archspec_refresh_tokens';
const API_KEYS = '_archspec_api_keys';

const orNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Runs a write: in its own write transaction outside one (SQLite: BEGIN IMMEDIATE), or directly inside one. */
export type WriteRunner = <T>(fn: (db: Kysely<any>) => Promise<T>) => Promise<T>;

/**
 * {@link SystemStore} over kysely on archspec's `_archspec_*` tables (created by `migrate`). All
 * values are text, so the same code serves every engine; user ids are stored as text.
 */
export class KyselySystemStore implements SystemStore {
  constructor(private readonly db: Kysely<any>, private readonly write: WriteRunner) {}

  async setPasswordHash(userId: string | number, hash: string): Promise<void> {
    const row = { userId: String(userId), passwordHash: hash, updatedAt: new Date().toISOString() };
    await this.write((db) => db.insertInto(CREDENTIALS).values(row)
      .onConflict((oc) => oc.column('userId').doUpdateSet({ passwordHash: hash, updatedAt: row.updatedAt }))
      .execute());
  }

  async getPasswordHash(userId: string | number): Promise<string | undefined> {
    const row = await this.db.selectFrom(CREDENTIALS).select('passwordHash').where('userId', '=', String(userId)).executeTakeFirst();
    return row?.passwordHash as string | undefined;
  }

  async insertRefreshToken(token: RefreshTokenRecord): Promise<void> {
    const row = { ...token, userId: String(token.userId), usedAt: orNull(token.usedAt), revokedAt: orNull(token.revokedAt) };
    await this.write((db) => db.insertInto(REFRESH_TOKENS).values(row).execute());
  }

  async getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db.selectFrom(REFRESH_TOKENS).selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
    if (!row) return undefined;
    return {
      tokenHash: row.tokenHash, familyId: row.familyId, userId: row.userId, issuedAt: row.issuedAt, expiresAt: row.expiresAt,
      usedAt: orNull(row.usedAt), revokedAt: orNull(row.revokedAt),
    };
  }

  async markRefreshTokenUsed(tokenHash: string, usedAt: string): Promise<boolean> {
    // One conditional UPDATE: of two racing refreshes with the same token, exactly one wins.
    const done = await this.write((db) => db.updateTable(REFRESH_TOKENS).set({ usedAt }).where('tokenHash', '=', tokenHash).where('usedAt', 'is', null).executeTakeFirst());
    return done.numUpdatedRows > 0n;
  }

  async revokeRefreshFamily(familyId: string, revokedAt: string): Promise<void> {
    await this.write((db) => db.updateTable(REFRESH_TOKENS).set({ revokedAt }).where('familyId', '=', familyId).where('revokedAt', 'is', null).execute());
  }

  async revokeRefreshTokensOfUser(userId: string | number, revokedAt: string): Promise<void> {
    await this.write((db) => db.updateTable(REFRESH_TOKENS).set({ revokedAt }).where('userId', '=', String(userId)).where('revokedAt', 'is', null).execute());
  }

  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    const row = { ...key, userId: String(key.userId), roles: JSON.stringify(key.roles), revokedAt: orNull(key.revokedAt) };
    await this.write((db) => db.insertInto(API_KEYS).values(row).execute());
  }

  async findApiKey(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom(API_KEYS).selectAll().where('keyHash', '=', keyHash).executeTakeFirst();
    if (!row) return undefined;
    return { id: row.id, keyHash: row.keyHash, userId: row.userId, roles: JSON.parse(row.roles) as string[], createdAt: row.createdAt, revokedAt: orNull(row.revokedAt) };
  }

  async revokeApiKey(id: string, revokedAt: string): Promise<void> {
    await this.write((db) => db.updateTable(API_KEYS).set({ revokedAt }).where('id', '=', id).where('revokedAt', 'is', null).execute());
  }

  async removeCredentialsOfUser(userId: string | number, revokedAt: string): Promise<void> {
    const user = String(userId);
    // One write (one transaction outside a caller's): the account loses every credential at once.
    await this.write(async (db) => {
      await db.deleteFrom(CREDENTIALS).where('userId', '=', user).execute();
      await db.updateTable(REFRESH_TOKENS).set({ revokedAt }).where('userId', '=', user).where('revokedAt', 'is', null).execute();
      await db.updateTable(API_KEYS).set({ revokedAt }).where('userId', '=', user).where('revokedAt', 'is', null).execute();
    });
  }
}
