import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { LocalEventTransport } from '../../src/adapters/broker/local/local-event-transport.ts';
import { createStorage } from '../../src/adapters/storage/create-storage.ts';
import type { Storage, StorageConfig, StorageEngineName } from '../../src/adapters/storage/storage.ts';
import { postgresUrl } from '../support/postgres.ts';
import { eventTransportConformance, type TransportFixture } from './event-transport.suite.ts';
import { engineEnabled } from './storage-fixture.ts';
import { storageTestModel } from './storage-test-model.ts';

// The database transport on both engines. Each `open` is a storage of its own (its own connection
// or pool), as a second process would have; the clock is fake, so leases and backoffs need no sleep.

function localFixture(engine: StorageEngineName, backend: () => Promise<{ next(): Promise<StorageConfig>; close(): Promise<void> }>): () => Promise<TransportFixture> {
  return async () => {
    const model = storageTestModel();
    const db = await backend();
    let config: StorageConfig | undefined;
    let opened: Storage[] = [];
    let offset = 0;
    const now = () => new Date(Date.now() + offset);
    return {
      async reset() {
        await Promise.all(opened.map((s) => s.close()));
        opened = [];
        config = await db.next();
        const storage = await createStorage(model, config);
        await storage.migrate();
        opened.push(storage);
      },
      async open(subscriptions, options) {
        const storage = await createStorage(model, config!);
        opened.push(storage);
        return new LocalEventTransport({ db: storage.kysely, dialect: engine, subscriptions, leaseMs: options.leaseMs, now });
      },
      async advance(ms) {
        offset += ms;
      },
      async close() {
        await Promise.all(opened.map((s) => s.close()));
        await db.close();
      },
    };
  };
}

if (engineEnabled('sqlite')) {
  eventTransportConformance('local (sqlite)', localFixture('sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archspec-transport-'));
    let n = 0;
    return {
      next: async () => ({ engine: 'sqlite', url: join(dir, `t-${++n}.sqlite`) }),
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }));
}

if (engineEnabled('postgres')) {
  eventTransportConformance('local (postgres)', localFixture('postgres', async () => {
    const database = await postgresUrl();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    return {
      next: async () => {
        await admin.query('drop schema public cascade; create schema public');
        return { engine: 'postgres', url: database.url, poolSize: 3 };
      },
      close: async () => {
        await admin.end();
        await database.stop();
      },
    };
  }));
}
