import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, databaseAddress, parsePort, parseTrustProxy, resolveServeConfig } from './config.ts';
import { exampleModel } from './test-support/example-models.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const temp = () => { const d = mkdtempSync(join(tmpdir(), 'archspec-config-')); dirs.push(d); return d; };

describe('serve configuration', () => {
  it('takes the port from --port before PORT, and rejects what is not a port', () => {
    expect(parsePort('0', { PORT: '8080' })).toBe(0);
    expect(parsePort(undefined, { PORT: '8080' })).toBe(8080);
    expect(parsePort(undefined, {})).toBe(3000);
    expect(() => parsePort('70000', {})).toThrow(/--port "70000" is not a port number/);
    expect(() => parsePort(undefined, { PORT: 'http' })).toThrow(ConfigError);
  });

  it('generates a token secret once on the embedded database, readable only by its owner', async () => {
    const model = await exampleModel('linkly');
    const dataDir = temp();
    const first = resolveServeConfig(model, join(dataDir, 'archspec.yaml'), {}, { ARCHSPEC_DATA_DIR: dataDir }, true);
    expect(first.jwtSecret!.length).toBeGreaterThanOrEqual(32);
    expect(first.warnings[0]).toContain('generated a development secret');
    expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    const second = resolveServeConfig(model, join(dataDir, 'archspec.yaml'), {}, { ARCHSPEC_DATA_DIR: dataDir }, true);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe(first.jwtSecret);
  });

  it('names ARCHSPEC_JWT_SECRET when it is missing or short on an external database', async () => {
    const model = await exampleModel('linkly');
    const dataDir = temp();
    expect(() => resolveServeConfig(model, 'x.yaml', {}, { ARCHSPEC_DATA_DIR: dataDir }, false)).toThrow(/ARCHSPEC_JWT_SECRET is not set/);
    expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(false);
    expect(() => resolveServeConfig(model, 'x.yaml', {}, { ARCHSPEC_JWT_SECRET: 'short' }, false)).toThrow(/shorter than 32 bytes/);
    expect(resolveServeConfig(model, 'x.yaml', { dev: true }, { ARCHSPEC_DATA_DIR: dataDir }, false).jwtSecret).toBeDefined();
  });

  it('refuses to start without the secret of a signed endpoint, naming its variable', async () => {
    const model = await exampleModel('payments');
    const env = { ARCHSPEC_DATA_DIR: temp(), ARCHSPEC_JWT_SECRET: 'x'.repeat(32) };
    expect(() => resolveServeConfig(model, 'x.yaml', {}, env, true)).toThrow(/^PROCESSOR_WEBHOOK_SECRET is not set \(POST \/webhooks\/processor/);
    expect(() => resolveServeConfig(model, 'x.yaml', {}, { ...env, PROCESSOR_WEBHOOK_SECRET: 'whsec' }, true)).not.toThrow();
  });

  it('describes a database URL by host and port, never its credentials', () => {
    expect(databaseAddress('postgres://app:secret@db.internal:6543/app')).toBe('db.internal:6543');
    expect(databaseAddress('postgres://app@db/app')).toBe('db:5432');
  });
});

describe('TRUST_PROXY', () => {
  it('is off by default and takes true, a hop count or proxy addresses', () => {
    expect(parseTrustProxy({})).toBe(false);
    expect(parseTrustProxy({ TRUST_PROXY: 'false' })).toBe(false);
    expect(parseTrustProxy({ TRUST_PROXY: 'true' })).toBe(true);
    expect(parseTrustProxy({ TRUST_PROXY: '2' })).toBe(2);
    expect(parseTrustProxy({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' })).toBe('10.0.0.0/8,127.0.0.1');
  });

  it('refuses anything else in one line with an example', () => {
    expect(() => parseTrustProxy({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY "yes please" is not/);
  });
});
