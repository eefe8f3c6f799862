import type { Kysely, RawBuilder } from 'kysely';
import type { StorageEngineName } from './storage.ts';
import type { ColumnKind } from './schema-plan.ts';
import type { TableChange } from './schema-diff.ts';
import type { Statement } from './schema-ddl.ts';

/** A constraint failure as the driver reported it, before it is tied to a model field. */
export interface ConstraintFailure {
  kind: 'unique' | 'foreign-key' | 'not-null';
  table?: string;
  column?: string;
  constraint?: string;
}

/** What introspection adds to kysely's: index names and foreign-key delete rules per table. */
export interface SchemaExtras {
  indexes: Map<string, Set<string>>;
  /** table -> column -> delete rule ('cascade' | 'restrict' | 'set null' | 'no action'). */
  foreignKeys: Map<string, Map<string, string>>;
}

/**
 * The engine half of the dialect pattern: everything the shared kysely code (record store,
 * migrator, system store) cannot say the same way on SQLite and PostgreSQL. Each engine folder
 * implements it once (`sqlite/sqlite-engine.ts`, `postgres/postgres-engine.ts`).
 */
export interface StorageEngine {
  readonly name: StorageEngineName;
  readonly db: Kysely<any>;
  /**
   * Whether `SELECT ... FOR UPDATE` locks rows (PostgreSQL). False on SQLite, whose write
   * transactions (BEGIN IMMEDIATE) already serialize writers and which has no such clause.
   */
  readonly rowLocks: boolean;
  /** Pool occupancy, when the engine has a pool. */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
  /** An API value as the bound parameter for a column of `kind` (null stays null). */
  toDb(kind: ColumnKind, value: unknown): unknown;
  /** A value read from a column of `kind` as the API sees it. */
  fromDb(kind: ColumnKind, value: unknown): unknown;
  /** The expression to compare and sort `expr` by (SQLite casts its text decimals). */
  comparable(kind: ColumnKind, expr: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Case-insensitive LIKE of `expr` against a pattern. */
  like(expr: RawBuilder<unknown>, pattern: string): RawBuilder<boolean>;
  /** Recognizes a unique/foreign-key/not-null failure in a driver error. */
  constraintFailure(error: unknown): ConstraintFailure | undefined;
  /** Runs `fn` in one write transaction (SQLite: BEGIN IMMEDIATE). */
  transaction<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction that holds the database-wide migration lock. */
  withMigrationLock<T>(fn: (trx: Kysely<any>) => Promise<T>): Promise<T>;
  /** Index names and foreign-key rules of the tables in the database. */
  introspectExtras(db: Kysely<any>): Promise<SchemaExtras>;
  /**
   * Statements that bring one existing table to its plan: added, dropped and altered columns and
   * its indexes (SQLite rebuilds the table when ALTER cannot; PostgreSQL alters in place).
   */
  alterStatements(db: Kysely<any>, change: TableChange): Statement[];
  /** Runs after the migration's statements, inside its transaction (SQLite checks foreign keys). */
  afterMigration(db: Kysely<any>): Promise<void>;
  /** Cheap round trip; throws StorageUnavailableError when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
