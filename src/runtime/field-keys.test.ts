import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SystemModel } from '../model/system-model.ts';
import { ConfigError, resolveServeConfig } from './config.ts';
import { fieldCipherOf, GENERATED_KEY_FILE } from './field-keys.ts';
import { exampleModel } from './test-support/example-models.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const temp = () => { const d = mkdtempSync(join(tmpdir(), 'archspec-keys-')); dirs.push(d); return d; };
const key = () => randomBytes(32).toString('base64');
const withKey = (model: SystemModel, reference: string, algorithm = model.security.encryption.algorithm): SystemModel =>
  ({ ...model, security: { ...model.security, encryption: { ...model.security.encryption, key: reference, algorithm } } });

describe('the field encryption key', () => {
  it('comes from the variable the spec names, as one key or a keyring', async () => {
    const model = await exampleModel('linkly');
    const warnings: string[] = [];
    const one = fieldCipherOf(model, temp(), { ARCHSPEC_KEY: key() }, temp(), false, warnings)!;
    expect(one.keyIds).toHaveLength(1);
    expect(one.decrypt(one.encrypt('x', 'User.email'), 'User.email')).toBe('x');
    const ring = fieldCipherOf(model, temp(), { ARCHSPEC_KEY: `new:${key()},old:${key()}` }, temp(), false, warnings)!;
    expect(ring.keyIds).toEqual(['new', 'old']);
    expect(warnings).toEqual([]);
  });

  it('reads a file: reference relative to the spec', async () => {
    const specDir = temp();
    writeFileSync(join(specDir, 'field.key'), `k1:${key()}\n`);
    const model = withKey(await exampleModel('linkly'), 'file:field.key');
    expect(fieldCipherOf(model, specDir, {}, temp(), false, [])!.currentKeyId).toBe('k1');
    expect(() => fieldCipherOf(withKey(model, 'file:missing.key'), specDir, {}, temp(), false, [])).toThrow(/missing\.key does not exist \(it encrypts User\.email, User\.name at rest\)/);
  });

  it('is generated once into the data folder on the embedded database, readable only by its owner', async () => {
    const model = await exampleModel('linkly');
    const dataDir = temp();
    const warnings: string[] = [];
    const first = fieldCipherOf(model, temp(), {}, dataDir, true, warnings)!;
    const file = join(dataDir, GENERATED_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(warnings[0]).toMatch(/^ARCHSPEC_KEY is not set; generated a development encryption key into .*encryption-key/);
    const stored = first.encrypt('kept', 'User.name');
    const second = fieldCipherOf(model, temp(), {}, dataDir, true, warnings)!;
    expect(second.decrypt(stored, 'User.name')).toBe('kept');
    expect(warnings[1]).toContain('using the development encryption key');
  });

  it('is required elsewhere: a ConfigError names the variable and how to make a key, and nothing is written', async () => {
    const model = await exampleModel('payments');
    const dataDir = temp();
    let error: unknown;
    try { fieldCipherOf(model, temp(), {}, dataDir, false, []); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('TILLPOINT_DATA_KEY is not set (it encrypts User.email, User.name, Order.shippingAddress and 2 more fields at rest)');
    expect((error as ConfigError).hint).toContain('openssl rand -base64 32');
    expect(existsSync(join(dataDir, GENERATED_KEY_FILE))).toBe(false);
  });

  it('refuses a malformed key or keyring and an unknown algorithm, without echoing the key', async () => {
    const model = await exampleModel('linkly');
    const short = randomBytes(16).toString('base64');
    expect(() => fieldCipherOf(model, temp(), { ARCHSPEC_KEY: short }, temp(), false, [])).toThrow(/^ARCHSPEC_KEY: the key is not base64 of 32 bytes \(it decodes to 16\)$/);
    expect(() => fieldCipherOf(model, temp(), { ARCHSPEC_KEY: `a:${key()},a:${key()}` }, temp(), false, [])).toThrow(/the key id "a" appears twice/);
    expect(() => fieldCipherOf(model, temp(), { ARCHSPEC_KEY: 'hunter2' }, temp(), false, [])).toThrow(ConfigError);
    expect(() => fieldCipherOf(model, temp(), { ARCHSPEC_KEY: 'hunter2' }, temp(), false, [])).not.toThrow(/hunter2/);
    expect(() => fieldCipherOf(withKey(model, 'env:ARCHSPEC_KEY', 'rot13'), temp(), { ARCHSPEC_KEY: key() }, temp(), false, [])).toThrow(/algorithm "rot13" is not supported/);
    expect(fieldCipherOf(withKey(model, 'env:ARCHSPEC_KEY', 'chacha20-poly1305'), temp(), { ARCHSPEC_KEY: key() }, temp(), false, [])!.encrypt('x', 'User.name')).toMatch(/^v1\.C20P\./);
  });

  it('is not needed when no field is encrypted at rest', async () => {
    const model = await exampleModel('linkly');
    const none = { ...model, entities: model.entities.map((e) => ({ ...e, fields: e.fields.map((f) => ({ ...f, encrypted: false })) })) };
    expect(fieldCipherOf(none, temp(), {}, temp(), false, [])).toBeUndefined();
  });

  it('is part of the serve configuration, generated with --dev even on an external database', async () => {
    const model = await exampleModel('linkly');
    const env = { ARCHSPEC_DATA_DIR: temp(), ARCHSPEC_JWT_SECRET: 'x'.repeat(32) };
    expect(() => resolveServeConfig(model, 'x.yaml', {}, env, false)).toThrow(/^ARCHSPEC_KEY is not set/);
    expect(resolveServeConfig(model, 'x.yaml', {}, { ...env, ARCHSPEC_KEY: key() }, false).fieldCipher).toBeDefined();
    const dev = resolveServeConfig(model, 'x.yaml', { dev: true }, env, false);
    expect(dev.fieldCipher).toBeDefined();
    expect(dev.warnings.some((w) => w.includes('generated a development encryption key'))).toBe(true);
  });
});
