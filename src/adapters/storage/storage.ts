import type { Kysely } from 'kysely';
import type { Entity, SystemModel } from '../../model/system-model.ts';

/**
 * The storage family: one interface the runtime uses for every database engine. Engines live in
 * `sqlite/` and `postgres/` and are picked from the {@link STORAGE_ENGINES} table by
 * `createStorage`; heavy drivers are imported only by the engine that is chosen.
 *
 * Records are plain objects keyed by the model's field names. Every table generated from an entity
 * also has server-managed columns: the entity's id field, `version` (integer, starts at 1, +1 on each
 * update), `createdAt`/`updatedAt` (ISO-8601 strings in UTC) when `entity.timestamps`, and
 * `deletedAt` (ISO string or null) when `entity.softDelete`. Many-to-many reference fields
 * (`ref.many`) are stored in join tables and read/written as arrays of ids.
 */
export type StorageEngineName = 'sqlite' | 'postgres';

/** A record as the API sees it. */
export type Row = Record<string, unknown>;

export type FilterOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'like' | 'isNull';

export interface Filter {
  field: string;
  op: FilterOp;
  /** For `in`, an array; for `isNull`, a boolean (true: IS NULL, false: IS NOT NULL). */
  value: unknown;
}

export interface ListQuery {
  filters?: Filter[];
  /** Sort keys in order; the id is always appended as the final tie-breaker so cursors are stable. */
  sort?: { field: string; direction: 'asc' | 'desc' }[];
  /** Page size, 1..1000. */
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor` (keyset pagination, not offsets). */
  cursor?: string;
  /** Return only these fields (the id is always included). */
  fields?: string[];
  /** Also return the total number of matching records (ignores cursor and limit). */
  count?: boolean;
  /** Include soft-deleted records. */
  includeDeleted?: boolean;
}

export interface Page {
  items: Row[];
  nextCursor?: string;
  total?: number;
}

/** Why a conditional write did not happen. */
export type WriteConflict = { conflict: 'version'; currentVersion: number };

/** Record operations; the same on the storage itself (auto-commit) and inside a transaction. */
export interface RecordStore {
  /** Inserts one record; server-managed fields (id unless `generate: client`, version, timestamps) are set here. */
  insert(entity: string, values: Row): Promise<Row>;
  /**
   * One record by id; soft-deleted ones only with `includeDeleted`. With `forUpdate`, inside a
   * transaction on PostgreSQL, the row is read with `SELECT ... FOR UPDATE`: it stays locked until
   * the transaction ends, so a concurrent transaction that reads it for update waits and then sees
   * the committed write (read-modify-write without lost updates). On SQLite it is a no-op: a write
   * transaction begins with BEGIN IMMEDIATE, which already serializes writers database-wide.
   * Outside a transaction it is a plain read (there is nothing to hold the lock for).
   */
  get(entity: string, id: string | number, options?: { includeDeleted?: boolean; forUpdate?: boolean }): Promise<Row | undefined>;
  /** Records by id, in no particular order (for related-record expansion). */
  getMany(entity: string, ids: readonly (string | number)[]): Promise<Row[]>;
  list(entity: string, query: ListQuery): Promise<Page>;
  /**
   * Applies `patch`; with `expectedVersion`, only if the stored version matches. Undefined when absent.
   * Soft-deleted records are absent unless `includeDeleted` (personal-data erasure anonymizes those too).
   */
  update(entity: string, id: string | number, patch: Row, options?: { expectedVersion?: number; includeDeleted?: boolean }): Promise<Row | WriteConflict | undefined>;
  /**
   * Deletes (or soft-deletes, when the entity declares it). False when absent. With `hard`, the row is
   * removed even when the entity declares soft delete, soft-deleted rows included (retention purge, erasure).
   */
  delete(entity: string, id: string | number, options?: { expectedVersion?: number; hard?: boolean }): Promise<boolean | WriteConflict>;
}

/** What `migrate` did, or would refuse to do. */
export interface MigrationReport {
  /** Statements applied, in order (with `dryRun`: the statements that would be applied). */
  applied: string[];
  /** Destructive changes found (dropped tables/columns, type changes, new NOT NULL without default). */
  destructive: string[];
  /** True when destructive changes exist and were not allowed: nothing was applied. */
  refused: boolean;
  /** The schema version recorded in the migration history table after this run (with `dryRun`: the current one). */
  version: number;
}

export interface Storage extends RecordStore {
  readonly engine: StorageEngineName;
  /**
   * Brings the database to the model's schema: entity tables, join tables, indexes for references and
   * filterable fields, foreign keys with the declared delete behaviour, the system tables
   * (`_archspec_*`), and a migration history row. Additive changes apply; destructive ones are
   * refused (report.refused) unless `allowDestructive`. Concurrent callers (several instances
   * starting at once) migrate once: a database lock serializes them.
   *
   * With `dryRun`, computes the same report without changing the database: `applied` lists the
   * statements that would run, `destructive` and `refused` are as a real run would set them, no
   * history table or row is written, and the lock is held only while the schema is compared.
   */
  migrate(options?: { allowDestructive?: boolean; dryRun?: boolean }): Promise<MigrationReport>;
  /** Whether the schema in the database matches the model (for /readyz). */
  isMigrated(): Promise<boolean>;
  /** Runs `fn` in one transaction: everything done through `tx` commits or rolls back together. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * The query builder on this database, for archspec's own feature tables (`_archspec_outbox`,
   * `_archspec_audit`, ...): runtime features keep their SQL next to their code instead of growing
   * this interface. Entity tables go through the record operations above (they apply the schema
   * plan's conversions). Outside a transaction each statement commits on its own.
   */
  readonly kysely: Kysely<any>;
  /** Operations on archspec's own tables (credentials, tokens, API keys). */
  readonly system: SystemStore;
  /** Connection pool occupancy for metrics; undefined for engines without a pool (SQLite: one connection). */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
  /** Cheap round trip to the database (for /readyz). Throws StorageUnavailableError when down. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What `transaction(fn)` hands `fn`: records, system tables and the query builder, all joined to the transaction. */
export type Transaction = RecordStore & SystemStore & { readonly kysely: Kysely<any> };

/** archspec's own tables, created by `migrate` next to the entity tables. */
export interface SystemStore {
  /** `_archspec_credentials`: one password hash per user id. */
  setPasswordHash(userId: string | number, hash: string): Promise<void>;
  getPasswordHash(userId: string | number): Promise<string | undefined>;
  /** `_archspec_refresh_tokens`: rotating refresh tokens grouped in families (reuse detection). */
  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks one token used (rotation). Returns false if it was already used (a reuse: the caller revokes the family). */
  markRefreshTokenUsed(tokenHash: string, usedAt: string): Promise<boolean>;
  revokeRefreshFamily(familyId: string, revokedAt: string): Promise<void>;
  revokeRefreshTokensOfUser(userId: string | number, revokedAt: string): Promise<void>;
  /** `_archspec_api_keys`: hashed keys scoped to roles. */
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKey(keyHash: string): Promise<ApiKeyRecord | undefined>;
  revokeApiKey(id: string, revokedAt: string): Promise<void>;
  /**
   * Account erasure: deletes the user's password hash and revokes every refresh token and API key
   * of the user at `revokedAt`, so no credential of the account works any more.
   */
  removeCredentialsOfUser(userId: string | number, revokedAt: string): Promise<void>;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  userId: string;
  issuedAt: string;
  expiresAt: string;
  usedAt?: string | null;
  revokedAt?: string | null;
}

export interface ApiKeyRecord {
  id: string;
  keyHash: string;
  userId: string;
  roles: string[];
  createdAt: string;
  revokedAt?: string | null;
}

/** How to reach the database. */
export interface StorageConfig {
  engine: StorageEngineName;
  /** SQLite: file path (":memory:" for tests). PostgreSQL: connection URL. */
  url: string;
  /** PostgreSQL pool size (default from the model's scalability.database.pool). */
  poolSize?: number;
  /**
   * Encrypts the model's `encrypted` fields at rest (see {@link FieldCipher}). Without it the
   * storage fails closed: writing, reading or filtering a non-null encrypted value throws
   * FieldKeyUnavailableError, and nothing is ever stored in plaintext. `migrate` needs no cipher.
   */
  fieldCipher?: FieldCipher;
}

/**
 * Field encryption at rest, as the storage uses it. Fields marked `encrypted` are stored as text
 * `cipher.encrypt(text, "Entity.field")`; the storage turns typed values into text first and back
 * on read. Encrypted fields that are unique or looked up by equality also get a blind index
 * column, `_bidx_<field>` (the unique index moves there), holding `blindIndex` of the normalized
 * value (email fields: trimmed and lower-cased); equality and `in` filters compare it against
 * `blindIndexes` (one per key of the keyring, so lookups keep working while keys are rotated).
 * Implemented by `encryption/field-cipher.ts`.
 */
export interface FieldCipher {
  /** The id of the key new values are encrypted and indexed under. */
  readonly currentKeyId: string;
  /** Every key id of the keyring, the current one first. */
  readonly keyIds: readonly string[];
  /** Encrypts `text`; `context` (`Entity.field`) is authenticated with it, so a value copied elsewhere fails to decrypt. */
  encrypt(text: string, context: string): string;
  /** The text of a value `encrypt` produced. Throws FieldDecryptionError (unknown key id, tampered, other context). */
  decrypt(stored: string, context: string): string;
  /** The key id a stored value is encrypted under, or undefined when it is not an encrypted value (plaintext written before encryption was enabled). */
  keyIdOf(stored: string): string | undefined;
  /** Whether `stored` is encrypted under the current key and algorithm (key rotation has nothing to do). */
  isCurrent(stored: string): boolean;
  /** The blind index of a normalized value under the current key. */
  blindIndex(normalized: string, context: string): string;
  /** Its blind indexes under every key of the keyring, the current one first (for lookups). */
  blindIndexes(normalized: string, context: string): string[];
}

/** The database is unreachable or refused the connection (an operational error; the CLI explains it). */
export class StorageUnavailableError extends Error {
  readonly code = 'storage_unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** The model's entity by name; throws for a name the model does not have (a programming error). */
export function entityOf(model: SystemModel, name: string): Entity {
  const entity = model.entities.find((e) => e.name === name);
  if (!entity) throw new Error(`unknown entity ${name}`);
  return entity;
}
