import { describe } from 'vitest';
import type { StorageEngineName } from '../../src/adapters/storage/storage.ts';
import { engineEnabled, useStorageFixture, type StorageFixture } from './storage-fixture.ts';
import { recordTests } from './records.suite.ts';
import { listingTests } from './listing.suite.ts';
import { migrationTests } from './migrations.suite.ts';
import { systemTests } from './system.suite.ts';
import { rowLockTests } from './row-locks.suite.ts';

export type { StorageFixture } from './storage-fixture.ts';

/**
 * The storage conformance suite: every engine passes the same tests (records, listing, migrations,
 * system tables, row locks), each on a fresh database. Skipped when `STORAGE_ENGINES` does not name the engine.
 *
 * @example
 * storageConformance('sqlite', async () => sqliteFixture());
 */
export function storageConformance(name: StorageEngineName, makeStorage: () => Promise<StorageFixture>): void {
  describe.skipIf(!engineEnabled(name))(`storage conformance: ${name}`, () => {
    const ctx = useStorageFixture(makeStorage);
    describe('records', () => recordTests(ctx));
    describe('listing', () => listingTests(ctx));
    describe('migrations', () => migrationTests(ctx));
    describe('system tables', () => systemTests(ctx));
    describe('row locks', () => rowLockTests(ctx));
  });
}
