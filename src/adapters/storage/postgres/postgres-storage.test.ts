import { describe, expect, it } from 'vitest';
import { hostPortOf } from '../connection-address.ts';
import { createPostgresStorage } from './postgres-storage.ts';
import { StorageUnavailableError } from '../storage.ts';
import { storageTestModel } from '../../../../test/conformance/storage-test-model.ts';

describe('createPostgresStorage', () => {
  it('reports an unreachable server as unavailable, naming host and port but not the password', async () => {
    const open = createPostgresStorage(storageTestModel(), { engine: 'postgres', url: 'postgres://app:secret@127.0.0.1:1/app' });
    await expect(open).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(open).rejects.toThrow(/127\.0\.0\.1:1\b/);
    await expect(open).rejects.not.toThrow(/secret/);
  });
});

describe('hostPortOf', () => {
  it('gives host:port with the default port and no credentials', () => {
    expect(hostPortOf('postgres://u:p@db.internal/app')).toBe('db.internal:5432');
    expect(hostPortOf('postgresql://10.0.0.5:6432/app')).toBe('10.0.0.5:6432');
  });
});
