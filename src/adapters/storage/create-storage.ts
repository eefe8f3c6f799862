import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemModel } from '../../model/system-model.ts';
import type { Storage, StorageConfig, StorageEngineName } from './storage.ts';

/**
 * The storage engines, keyed by the names the spec and `DATABASE_URL` select. Each entry imports its
 * engine (and its driver) only when chosen, so a SQLite run never loads `pg`.
 */
export const STORAGE_ENGINES: Record<StorageEngineName, (model: SystemModel, config: StorageConfig) => Promise<Storage>> = {
  sqlite: async (model, config) => (await import('./sqlite/sqlite-storage.ts')).createSqliteStorage(model, config),
  postgres: async (model, config) => (await import('./postgres/postgres-storage.ts')).createPostgresStorage(model, config),
};

/**
 * Opens the storage `config` names. Does not migrate: call `storage.migrate()` next.
 *
 * @example
 * const storage = await createStorage(model, storageConfigFrom(model, process.env, 'data'));
 * const report = await storage.migrate();
 */
export function createStorage(model: SystemModel, config: StorageConfig): Promise<Storage> {
  const open = STORAGE_ENGINES[config.engine];
  if (!open) throw new Error(`unknown storage engine "${String(config.engine)}"; use one of ${Object.keys(STORAGE_ENGINES).join(', ')}`);
  return open(model, config);
}

/** "Link Shortener" -> "link-shortener". */
function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'archspec';
}

/**
 * Where the data lives: `DATABASE_URL` when set (`postgres://` or `postgresql://` -> PostgreSQL;
 * `sqlite:<path>`, `file:<path>` or a plain path -> SQLite), else the embedded default, the SQLite
 * file `<dataDir>/<system-name-kebab>.sqlite` (the folder is created). Throws for any other scheme.
 *
 * @example
 * storageConfigFrom(model, { DATABASE_URL: 'postgres://app@db:5432/app' }, 'data')
 * // { engine: 'postgres', url: 'postgres://app@db:5432/app', poolSize: 10 }
 */
export function storageConfigFrom(model: SystemModel, env: Record<string, string | undefined>, dataDir: string): StorageConfig {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    mkdirSync(dataDir, { recursive: true });
    return { engine: 'sqlite', url: join(dataDir, `${kebab(model.system.name)}.sqlite`) };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { engine: 'postgres', url, poolSize: model.scalability.database.pool };
  const prefixed = /^(sqlite|file):(\/\/)?(.*)$/i.exec(url);
  if (prefixed) {
    if (!prefixed[3]) throw new Error(`DATABASE_URL "${url}" names no SQLite file; write sqlite:path/to/file.sqlite`);
    return { engine: 'sqlite', url: prefixed[3] };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (scheme) throw new Error(`DATABASE_URL uses the unsupported scheme "${scheme[1]}:"; use postgres://..., postgresql://..., sqlite:path or a file path`);
  return { engine: 'sqlite', url };
}
