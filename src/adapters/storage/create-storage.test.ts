import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createStorage, storageConfigFrom } from './create-storage.ts';
import { storageTestModel } from '../../../test/conformance/storage-test-model.ts';

// If choosing SQLite ever loaded the PostgreSQL driver, this factory would throw.
vi.mock('pg', () => {
  throw new Error('pg must not be loaded for SQLite');
});

const model = storageTestModel();

describe('storageConfigFrom', () => {
  it('defaults to a SQLite file named after the system in the data folder, creating the folder', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'archspec-cfg-')), 'nested', 'data');
    try {
      expect(storageConfigFrom(model, {}, dir)).toEqual({ engine: 'sqlite', url: join(dir, 'notely.sqlite') });
      expect(existsSync(dir)).toBe(true);
    } finally {
      rmSync(join(dir, '..', '..'), { recursive: true, force: true });
    }
  });

  it('picks PostgreSQL for postgres:// and postgresql:// URLs with the model pool size', () => {
    for (const url of ['postgres://app:pw@db:5432/app', 'postgresql://db/app']) {
      expect(storageConfigFrom(model, { DATABASE_URL: url }, 'unused')).toEqual({ engine: 'postgres', url, poolSize: model.scalability.database.pool });
    }
  });

  it('picks SQLite for sqlite: URLs and plain paths', () => {
    expect(storageConfigFrom(model, { DATABASE_URL: 'sqlite:data/app.sqlite' }, 'x')).toEqual({ engine: 'sqlite', url: 'data/app.sqlite' });
    expect(storageConfigFrom(model, { DATABASE_URL: 'sqlite:///var/lib/app.sqlite' }, 'x')).toEqual({ engine: 'sqlite', url: '/var/lib/app.sqlite' });
    expect(storageConfigFrom(model, { DATABASE_URL: 'sqlite::memory:' }, 'x')).toEqual({ engine: 'sqlite', url: ':memory:' });
    expect(storageConfigFrom(model, { DATABASE_URL: './app.db' }, 'x')).toEqual({ engine: 'sqlite', url: './app.db' });
  });

  it('rejects an unsupported scheme with a message naming it and the accepted forms', () => {
    expect(() => storageConfigFrom(model, { DATABASE_URL: 'mysql://db/app' }, 'x')).toThrow(/unsupported scheme "mysql:".*postgres:\/\//);
    expect(() => storageConfigFrom(model, { DATABASE_URL: 'sqlite:' }, 'x')).toThrow(/names no SQLite file/);
  });
});

describe('createStorage', () => {
  it('opens SQLite without loading the PostgreSQL driver', async () => {
    const storage = await createStorage(model, { engine: 'sqlite', url: ':memory:' });
    expect(storage.engine).toBe('sqlite');
    await storage.migrate();
    expect(await storage.isMigrated()).toBe(true);
    await storage.close();
  });

  it('rejects an engine name it does not know', () => {
    expect(() => createStorage(model, { engine: 'oracle' as never, url: 'x' })).toThrow(/unknown storage engine "oracle"/);
  });
});
