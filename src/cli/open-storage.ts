import { dirname, resolve } from 'node:path';
import { createStorage, storageConfigFrom } from '../adapters/storage/create-storage.ts';
import { StorageUnavailableError, type FieldCipher, type MigrationReport, type Storage, type StorageConfig } from '../adapters/storage/storage.ts';
import type { SystemModel } from '../model/system-model.ts';
import { ConfigError, databaseAddress, dataDirOf } from '../runtime/config.ts';
import { fieldCipherOf } from '../runtime/field-keys.ts';
import type { ReplicaSource } from '../adapters/storage/replicas/replica-set.ts';
import { hostPortOf } from '../adapters/storage/connection-address.ts';
import { CliError } from './run-command.ts';

/**
 * What `serve` and `migrate` share: opening the configured database (one clear line when it cannot
 * be reached) and explaining a refused destructive migration.
 */

/** Where the database is, for messages: host:port for PostgreSQL (and how many read replicas), the file for SQLite. */
export function describeDatabase(config: StorageConfig, replicas = 0): string {
  if (config.engine !== 'postgres') return `SQLite file ${config.url}`;
  return `PostgreSQL at ${databaseAddress(config.url)}${replicas ? ` with ${replicas} read replica${replicas > 1 ? 's' : ''}` : ''}`;
}

/**
 * The read replicas `urls` names (DATABASE_REPLICA_URLS, checked by the serve configuration), each
 * opened when the server's poller first reaches it: a PostgreSQL storage like the primary's (same
 * model, pool size and field cipher), never migrated (a standby is read-only and follows the
 * primary's schema).
 */
export function replicaSources(model: SystemModel, urls: readonly string[], options: { fieldCipher?: FieldCipher } = {}): ReplicaSource[] {
  return urls.map((url) => ({
    name: hostPortOf(url),
    open: () => createStorage(model, { engine: 'postgres', url, poolSize: model.scalability.database.pool, ...(options.fieldCipher ? { fieldCipher: options.fieldCipher } : {}) }),
  }));
}

/**
 * Opens the storage the environment selects (DATABASE_URL, else the embedded SQLite file in the
 * data folder). Without `fieldCipher` the model's encrypted fields fail closed (migrating needs no
 * key); commands that read or write records use {@link openStorageWithKeys}.
 */
export async function openStorage(model: SystemModel, specFile: string, env: NodeJS.ProcessEnv, options: { fieldCipher?: FieldCipher } = {}): Promise<{ storage: Storage; config: StorageConfig; embedded: boolean }> {
  let config: StorageConfig;
  try {
    config = { ...storageConfigFrom(model, env, dataDirOf(specFile, env)), ...(options.fieldCipher ? { fieldCipher: options.fieldCipher } : {}) };
  } catch (e) {
    throw new CliError((e as Error).message, 'set DATABASE_URL to postgres://user:password@host:5432/db, or unset it for the embedded SQLite file');
  }
  try {
    const storage = await createStorage(model, config);
    return { storage, config, embedded: !env.DATABASE_URL?.trim() };
  } catch (e) {
    throw unreachable(e, config);
  }
}

/**
 * {@link openStorage} with the field encryption key loaded as `archspec serve` loads it (generated
 * into the data folder on the embedded database or with `dev`): for commands that read or write
 * records. A missing or malformed key is a one-line CliError naming the variable.
 */
export async function openStorageWithKeys(model: SystemModel, specFile: string, env: NodeJS.ProcessEnv, options: { dev?: boolean } = {}): Promise<{ storage: Storage; config: StorageConfig; embedded: boolean; fieldCipher?: FieldCipher }> {
  const warnings: string[] = [];
  let fieldCipher: FieldCipher | undefined;
  try {
    fieldCipher = fieldCipherOf(model, dirname(resolve(specFile)), env, dataDirOf(specFile, env), !env.DATABASE_URL?.trim() || options.dev === true, warnings);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message, e.hint);
    throw e;
  }
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  return { ...(await openStorage(model, specFile, env, { fieldCipher })), ...(fieldCipher ? { fieldCipher } : {}) };
}

/** A StorageUnavailableError as one line naming the database; anything else unchanged. */
export function unreachable(e: unknown, config: StorageConfig): unknown {
  if (!(e instanceof StorageUnavailableError)) return e;
  const reason = e.cause instanceof Error ? e.cause.message : e.message;
  return new CliError(`cannot reach ${describeDatabase(config)}: ${reason}`, 'check DATABASE_URL and that the database is running', { cause: e });
}

/** Migrates, translating an unreachable database into one line. */
export async function migrateStorage(storage: Storage, config: StorageConfig, allowDestructive: boolean, dryRun = false): Promise<MigrationReport> {
  try {
    return await storage.migrate({ allowDestructive, dryRun });
  } catch (e) {
    throw unreachable(e, config);
  }
}

/** Prints why a migration was refused and how to allow it. */
export function printRefusal(report: MigrationReport, specFile: string): void {
  process.stderr.write(`archspec: the model needs destructive database changes, refused:\n`);
  for (const change of report.destructive) process.stderr.write(`  - ${change}\n`);
  process.stderr.write(`hint: back up the data, then run \`archspec migrate ${specFile} --allow-destructive\` (or serve with --allow-destructive).\n`);
}
