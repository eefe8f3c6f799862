import type { Kysely } from 'kysely';
import type { SystemModel } from '../../model/system-model.ts';
import type { FieldCipher, MigrationReport, Storage, StorageEngineName, SystemStore, Transaction } from './storage.ts';
import type { StorageEngine } from './storage-engine.ts';
import { planSchema, type SchemaPlan } from './schema-plan.ts';
import { KyselyRecordStore, type StoreContext } from './record-store.ts';
import { KyselySystemStore } from './system-store.ts';
import { QueryShapes } from './query-shapes.ts';
import { isMigrated, migrate, type MigrateOptions } from './migrator.ts';

const SYSTEM_METHODS = [
  'setPasswordHash', 'getPasswordHash', 'insertRefreshToken', 'getRefreshToken', 'markRefreshTokenUsed',
  'revokeRefreshFamily', 'revokeRefreshTokensOfUser', 'insertApiKey', 'findApiKey', 'revokeApiKey',
  'removeCredentialsOfUser',
] as const satisfies readonly (keyof SystemStore)[];

/**
 * What `transaction` hands its callback: a record store joined to the transaction that also
 * carries the system-store methods, delegating to a system store on the same transaction. The
 * methods live on the prototype, so opening a transaction binds nothing.
 */
class TransactionStore extends KyselyRecordStore {
  constructor(ctx: StoreContext, readonly kysely: Kysely<any>, readonly systemStore: KyselySystemStore) {
    super(ctx, kysely, true);
  }
}
for (const m of SYSTEM_METHODS) {
  Object.defineProperty(TransactionStore.prototype, m, {
    value(this: TransactionStore, ...args: unknown[]) {
      return (this.systemStore[m] as (...a: unknown[]) => unknown).apply(this.systemStore, args);
    },
    writable: true,
    configurable: true,
  });
}

/**
 * {@link Storage} for any {@link StorageEngine}: the engine supplies the connection and the dialect
 * differences; queries, migrations and the system tables are the shared kysely code. With
 * `fieldCipher`, the model's encrypted fields are encrypted at rest (see FieldCipher).
 *
 * @example
 * const storage = new KyselyStorage(model, await createSqliteEngine(':memory:'));
 * await storage.migrate();
 */
export class KyselyStorage extends KyselyRecordStore implements Storage {
  readonly engine: StorageEngineName;
  readonly system: SystemStore;
  private readonly schema: SchemaPlan;

  constructor(model: SystemModel, private readonly driver: StorageEngine, options: { fieldCipher?: FieldCipher } = {}) {
    const plan = planSchema(model, driver.name);
    const ctx: StoreContext = { engine: driver, plan, now: () => new Date().toISOString(), shapes: new QueryShapes(), cipher: options.fieldCipher };
    super(ctx, driver.db, false);
    this.schema = plan;
    this.engine = driver.name;
    this.system = new KyselySystemStore(driver.db, (fn) => driver.transaction(fn));
  }

  migrate(options?: MigrateOptions): Promise<MigrationReport> {
    return migrate(this.driver, this.schema, options);
  }

  isMigrated(): Promise<boolean> {
    return isMigrated(this.driver, this.schema);
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.driver.transaction((trx) => fn(new TransactionStore(this.ctx, trx, new KyselySystemStore(trx, (fn) => fn(trx))) as unknown as Transaction));
  }

  get kysely(): Kysely<any> {
    return this.driver.db;
  }

  poolStats(): { total: number; idle: number; waiting: number } | undefined {
    return this.driver.poolStats();
  }

  ping(): Promise<void> {
    return this.driver.ping();
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
