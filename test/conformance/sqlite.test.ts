import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from '../../src/adapters/storage/create-storage.ts';
import { testFieldCipher } from '../../src/runtime/test-support/test-field-cipher.ts';
import { storageConformance } from './storage.suite.ts';

storageConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'archspec-sqlite-'));
  let n = 0;
  let file = '';
  return {
    reset: async () => void (file = join(dir, `test-${++n}.sqlite`)),
    open: (model) => createStorage(model, { engine: 'sqlite', url: file, fieldCipher: testFieldCipher() }),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
