import pg from 'pg';
import { createStorage } from '../../src/adapters/storage/create-storage.ts';
import { testFieldCipher } from '../../src/runtime/test-support/test-field-cipher.ts';
import { storageConformance } from './storage.suite.ts';
import { postgresUrl } from '../support/postgres.ts';

storageConformance('postgres', async () => {
  const database = await postgresUrl();
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  return {
    reset: async () => void (await admin.query('drop schema public cascade; create schema public')),
    open: (model) => createStorage(model, { engine: 'postgres', url: database.url, poolSize: 4, fieldCipher: testFieldCipher() }),
    close: async () => {
      await admin.end();
      await database.stop();
    },
  };
});

