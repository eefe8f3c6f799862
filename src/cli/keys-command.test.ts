import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { keysRotateCommand, keysStatusCommand } from './keys-command.ts';

// The refusals of `archspec keys` (its main path runs in test/e2e/serve-encryption.test.ts).

describe('archspec keys', () => {
  let dir: string;
  let spec: string;
  const env = () => ({ DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, ARCHSPEC_DATA_DIR: dir, ARCHSPEC_KEY: randomBytes(32).toString('base64') });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-keys-cli-'));
    cpSync('examples/linkly', join(dir, 'spec'), { recursive: true, filter: (source) => !source.endsWith('.data') });
    spec = join(dir, 'spec', 'archspec.yaml');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an unmigrated database and a bad batch size in one line with a hint', async () => {
    await expect(keysStatusCommand(spec, {}, env())).rejects.toMatchObject({ name: 'CliError', message: expect.stringContaining("does not have the spec's schema yet"), hint: `run \`archspec migrate ${spec}\` (or start \`archspec serve\`) first` });
    await expect(keysRotateCommand(spec, { batchSize: '0' }, env())).rejects.toMatchObject({ name: 'CliError', message: '--batch-size "0" is not a whole number from 1 to 10000' });
  });

  it('names the missing key variable instead of generating one outside the embedded database', async () => {
    await expect(keysRotateCommand(spec, {}, { ...env(), ARCHSPEC_KEY: '' })).rejects.toMatchObject({ name: 'CliError', message: 'ARCHSPEC_KEY is not set (it encrypts User.email, User.name at rest)' });
  });

  it('has nothing to do for a spec without encrypted fields', async () => {
    const plain = join(dir, 'spec', 'plain.yaml');
    writeFileSync(plain, readFileSync(spec, 'utf8').replace(/^\s+- \{ rule: encrypted-at-rest.*\n/m, ''));
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
    try {
      expect(await keysStatusCommand(plain, {}, env())).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(out).toBe('No field is encrypted at rest (no encrypted-at-rest data rule): nothing to do.\n');
  });
});
