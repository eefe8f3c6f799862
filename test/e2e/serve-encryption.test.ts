import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/adapters/storage/create-storage.ts';
import { createFieldCipher } from '../../src/adapters/storage/encryption/field-cipher.ts';
import { parseKeyring } from '../../src/adapters/storage/encryption/keyring.ts';
import type { StorageConfig, StorageEngineName } from '../../src/adapters/storage/storage.ts';
import { keysRotateCommand, keysStatusCommand } from '../../src/cli/keys-command.ts';
import { migrateCommand } from '../../src/cli/migrate-command.ts';
import { serveCommand } from '../../src/cli/serve-command.ts';
import { createAuth } from '../../src/runtime/auth/create-auth.ts';
import { buildServer } from '../../src/runtime/server.ts';
import { exampleModel } from '../../src/runtime/test-support/example-models.ts';
import { captureStdout } from '../support/cli-process.ts';
import { postgresUrl } from '../support/postgres.ts';
import { eventually } from './outbox-rows.ts';
import { ENGINES, JWT_SECRET, serve, type Served } from './serve-harness.ts';

// Field encryption at rest over real HTTP: the database holds ciphertext while the API, custom
// handlers and event consumers see plaintext; unique emails, login and list filters go through
// blind indexes; tampering and copied values fail loudly; keys rotate with `archspec keys`; and
// `archspec serve` refuses to start without its key.

const PASSWORD = 'correct horse battery staple';
const FAST_EVENTS = { pollIntervalMs: 40, backoffBaseMs: 40, backoffMaxMs: 200, maxAttempts: 3 };
const newKey = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

/** A probe endpoint (reads and writes the caller's account, emits probe.user) and a consumer that logs what it reads. */
function writeProbes(dir: string): void {
  writeFileSync(join(dir, 'whoami.ts'), `export default async function whoami(ctx: any) {
  const before = await ctx.db.get('User', ctx.user.id);
  const after = await ctx.db.update('User', ctx.user.id, { name: ctx.body.name });
  await ctx.emit('probe.user', { user: ctx.user.id });
  return { read: { email: before.email, name: before.name }, written: { name: after.name } };
}\n`);
  writeFileSync(join(dir, 'consumer.ts'), `import { appendFileSync } from 'node:fs';
export default async function consume(event: any, ctx: any) {
  const user = await ctx.db.get('User', event.user);
  appendFileSync(${JSON.stringify(join(dir, 'consumer.log'))}, JSON.stringify({ email: user.email, name: user.name }) + '\\n');
}\n`);
}

/** Linkly with User.email filterable, an admin list of users, and the probes. */
function probeSpec(dir: string): (text: string) => string {
  return (text) => {
    const spec = parse(text);
    spec.data.User.fields.email.filterable = true;
    spec.api.endpoints['GET /users'] = { does: 'list User', roles: ['admin'] };
    spec.events['probe.user'] = { description: 'a probe read an account', producer: 'links', payload: { user: 'string' } };
    spec.architecture.components.probe = { kind: 'worker', purpose: 'consumer under test', consumes: ['probe.user'], handlers: { 'probe.user': join(dir, 'consumer.ts') } };
    spec.api.endpoints['POST /probe/whoami'] = { handler: join(dir, 'whoami.ts'), roles: ['user', 'admin'], body: { name: 'string' }, summary: 'read and rename the caller', emits: ['probe.user'] };
    return stringify(spec);
  };
}

/** Flips one bit of the ciphertext part of a stored value. */
function tampered(stored: string): string {
  const parts = stored.split('.');
  const data = Buffer.from(parts[4]!, 'base64url');
  data[0] = data[0]! ^ 0x01;
  return [...parts.slice(0, 4), data.toString('base64url')].join('.');
}

describe.each(ENGINES)('field encryption on %s', (engine) => {
  describe('linkly: stored ciphertext, plaintext everywhere else', () => {
    let s: Served;
    let dir: string;
    const row = async (id: string) => (await s.storage.kysely.selectFrom('User').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Record<string, string | null>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'archspec-enc-e2e-'));
      writeProbes(dir);
      s = await serve('linkly', engine, { spec: probeSpec(dir), events: FAST_EVENTS });
    }, 60_000);
    afterAll(async () => {
      await s?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores generated CRUD writes as ciphertext and answers them in plaintext', async () => {
      const created = await s.call('POST', '/users', { body: { email: 'Ada@Example.com', name: 'Ada Lovelace', password: PASSWORD } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ email: 'Ada@Example.com', name: 'Ada Lovelace' });
      const stored = await row(created.body.id);
      expect(stored.email).toMatch(/^v1\.A256GCM\.e2e\.[A-Za-z0-9_-]{16}\./);
      expect(stored.name).toMatch(/^v1\.A256GCM\.e2e\./);
      expect(stored._bidx_email).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Whole values: random base64 may well contain a short fragment such as "ada".
      expect(JSON.stringify(stored)).not.toMatch(/ada@example\.com|ada lovelace/i);
      const login = await s.call('POST', '/auth/login', { body: { email: 'Ada@Example.com', password: PASSWORD } });
      const token = login.body.accessToken as string;
      const patched = await s.call('PATCH', `/users/${created.body.id}`, { token, body: { name: 'Countess' }, headers: { 'if-match': 'W/"1"' } });
      expect(patched.status).toBe(200);
      expect(patched.body.name).toBe('Countess');
      expect((await row(created.body.id)).name).not.toContain('Countess');
      expect((await s.call('GET', `/users/${created.body.id}`, { token })).body).toMatchObject({ email: 'Ada@Example.com', name: 'Countess' });
    });

    it('keeps email unique (409) and login working, both ignoring case, through the blind index', async () => {
      await s.account('grace@example.com');
      const again = await s.call('POST', '/users', { body: { email: 'GRACE@example.COM', password: PASSWORD } });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'conflict', errors: [{ pointer: '/email', detail: 'is already taken' }] });
      for (const email of ['grace@example.com', 'Grace@Example.com', '  GRACE@EXAMPLE.COM ']) {
        expect((await s.call('POST', '/auth/login', { body: { email, password: PASSWORD } })).status, email).toBe(200);
      }
      const wrong = await s.call('POST', '/auth/login', { body: { email: 'grace@example.com', password: 'not the password at all' } });
      expect(wrong.status).toBe(401);
      expect((await s.call('POST', '/auth/login', { body: { email: 'nobody@example.com', password: PASSWORD } })).body).toEqual(wrong.body);
    });

    it('filters a list by an encrypted email with = and in; other operators and sorting are a 422', async () => {
      const { token } = await s.account('admin-filter@example.com', { role: 'admin' });
      await s.account('filter-me@example.com', { fields: { name: 'Filtered' } });
      const eq = await s.call('GET', '/users?email=FILTER-ME@example.com', { token });
      expect(eq.status).toBe(200);
      expect(eq.body.items).toEqual([expect.objectContaining({ email: 'filter-me@example.com', name: 'Filtered' })]);
      const inList = await s.call('GET', `/users?email[in]=${encodeURIComponent('filter-me@example.com,admin-filter@example.com,none@example.com')}&count=true`, { token });
      expect(inList.body.total).toBe(2);
      expect((await s.call('GET', '/users?email[ne]=filter-me@example.com&count=true', { token })).body.items.every((u: { email: string }) => u.email !== 'filter-me@example.com')).toBe(true);
      for (const query of ['email[like]=%25filter%25', 'email[gt]=a']) {
        const refused = await s.call('GET', `/users?${query}`, { token });
        expect(refused.status, query).toBe(422);
        expect(refused.body.errors, query).toEqual([{ pointer: `/query/${decodeURIComponent(query.split('=')[0]!)}`, detail: 'is not a known field' }]);
      }
      const sorted = await s.call('GET', '/users?sort=-email', { token });
      expect(sorted.status).toBe(422);
      expect(sorted.body.errors).toEqual([{ pointer: '/query/sort', detail: 'cannot sort by "email": it is encrypted at rest, and ciphertext has no order' }]);
    });

    it('gives custom handlers and event consumers plaintext, and stores what they write encrypted', async () => {
      const { id, token } = await s.account('hopper@example.com', { fields: { name: 'Grace Hopper' } });
      const probed = await s.call('POST', '/probe/whoami', { token, body: { name: 'Rear Admiral' } });
      expect(probed.status).toBe(200);
      expect(probed.body).toEqual({ read: { email: 'hopper@example.com', name: 'Grace Hopper' }, written: { name: 'Rear Admiral' } });
      expect((await row(id)).name).toMatch(/^v1\./);
      const file = join(dir, 'consumer.log');
      const seen = await eventually(() => existsSync(file) && readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
      expect(seen).toEqual([{ email: 'hopper@example.com', name: 'Rear Admiral' }]);
    });

    it('answers 500 without leaking anything for a tampered value or a value copied to another column', async () => {
      const { id, token } = await s.account('victim@example.com', { fields: { name: 'Victim' } });
      const stored = await row(id);
      await s.storage.kysely.updateTable('User').set({ name: tampered(stored.name!) }).where('id', '=', id).execute();
      const broken = await s.call('GET', `/users/${id}`, { token });
      expect(broken.status).toBe(500);
      expect(broken.body.code).toBe('internal');
      expect(JSON.stringify(broken.body)).not.toMatch(/v1\.|Victim|decrypt/);
      await s.storage.kysely.updateTable('User').set({ name: stored.email }).where('id', '=', id).execute();
      expect((await s.call('GET', `/users/${id}`, { token })).status).toBe(500);
      await s.storage.kysely.updateTable('User').set({ name: stored.name }).where('id', '=', id).execute();
      expect((await s.call('GET', `/users/${id}`, { token })).body.name).toBe('Victim');
    });
  });

  describe('telehealth: encrypted dates, enums and text round-trip', () => {
    let s: Served;
    beforeAll(async () => { s = await serve('telehealth', engine); }, 60_000);
    afterAll(async () => { await s?.close(); });

    it('creates, reads, updates and exports a patient profile whose fields are stored encrypted', async () => {
      const { id: user, token } = await s.account('patient@example.com', { fields: { name: 'Pat Ient', phone: '+4915112345678' } });
      const profile = { dateOfBirth: '1985-02-03', address: '1 Main St', insuranceMemberId: 'INS-42', telehealthConsentAt: '2024-05-01T10:00:00.000Z' };
      const created = await s.call('POST', '/patients', { token, body: profile });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({ ...profile, sexAtBirth: 'undisclosed', user });
      const stored = (await s.storage.kysely.selectFrom('Patient').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow()) as Record<string, unknown>;
      for (const f of ['dateOfBirth', 'sexAtBirth', 'address', 'insuranceMemberId']) expect(String(stored[f]), f).toMatch(/^v1\.A256GCM\.e2e\./);
      expect(stored.telehealthConsentAt).not.toMatch(/^v1\./);
      const patched = await s.call('PATCH', `/patients/${created.body.id}`, { token, body: { sexAtBirth: 'female', dateOfBirth: '1985-02-04' }, headers: { 'if-match': 'W/"1"' } });
      expect(patched.status).toBe(200);
      expect((await s.call('GET', `/patients/${created.body.id}`, { token })).body).toMatchObject({ sexAtBirth: 'female', dateOfBirth: '1985-02-04', address: '1 Main St' });
      const exported = await s.call('GET', '/me/export', { token });
      expect(exported.status).toBe(200);
      expect(exported.body.account).toMatchObject({ email: 'patient@example.com', name: 'Pat Ient', phone: '+4915112345678' });
      expect(exported.body.profile).toMatchObject({ dateOfBirth: '1985-02-04', sexAtBirth: 'female', insuranceMemberId: 'INS-42' });
    });
  });

  describe('key rotation with archspec keys', () => {
    let dir: string;
    let pg: { url: string; stop(): Promise<void> } | undefined;
    let config: StorageConfig;
    const keyA = newKey('a');
    const keyB = newKey('b');
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'archspec-rotate-'));
      if (engine === 'postgres') pg = await postgresUrl();
      config = engine === 'postgres' ? { engine, url: pg!.url, poolSize: 3 } : { engine: engine as StorageEngineName, url: join(dir, 'linkly.sqlite') };
    }, 60_000);
    afterAll(async () => {
      await pg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Serves plain linkly on the test database with `keys`, logging into `log`. */
    async function serveWith(keys: string, log: string[] = []) {
      const model = await exampleModel('linkly');
      const storage = await createStorage(model, { ...config, fieldCipher: createFieldCipher(parseKeyring(keys), 'aes-256-gcm') });
      await storage.migrate();
      const destination = new Writable({ write(chunk, _enc, done) { log.push(String(chunk)); done(); } });
      const app = await buildServer(model, { storage, auth: createAuth(model, storage, { jwtSecret: JWT_SECRET }), specDir: 'examples/linkly', logging: { level: 'error', destination } });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api`;
      const post = async (path: string, body: unknown, token?: string) => {
        const r = await fetch(api + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
        return { status: r.status, body: await r.json() as any };
      };
      const get = async (path: string, token: string) => {
        const r = await fetch(api + path, { headers: { authorization: `Bearer ${token}` } });
        return { status: r.status, body: await r.json() as any };
      };
      return { storage, post, get, close: async () => { await app.close(); await storage.close(); } };
    }

    it('moves every value from key A to key B; the keyring "b" alone then serves everything', async () => {
      const a = await serveWith(keyA);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await a.post('/users', { email: `user${i}@example.com`, name: `User ${i}`, password: PASSWORD })).body.id);
      await a.close();

      const env = { DATABASE_URL: config.url, ARCHSPEC_KEY: `${keyB},${keyA}`, ARCHSPEC_DATA_DIR: dir };
      const spec = 'examples/linkly/archspec.yaml';
      const before = await captureStdout(() => keysStatusCommand(spec, {}, env));
      expect(before.code).toBe(0);
      expect(before.out).toContain('User.email: 5 under a');
      expect(before.out).toContain('run `archspec keys rotate');
      const rotated = await captureStdout(() => keysRotateCommand(spec, { batchSize: '2' }, env));
      expect(rotated.code).toBe(0);
      expect(rotated.out).toContain('User: 5 rows read, 5 updated: 10 values re-encrypted, 5 blind indexes written');
      expect((await captureStdout(() => keysRotateCommand(spec, {}, env))).out).toContain('User: 5 rows read, 0 updated');
      const after = await captureStdout(() => keysStatusCommand(spec, {}, env));
      expect(after.out).toContain('User.email: 5 under b (current)');
      expect(after.out).toContain('Every value is under the current key b.');
      expect(after.out).toContain('No value is under a: it can be removed from ARCHSPEC_KEY.');

      const log: string[] = [];
      const b = await serveWith(keyB, log);
      try {
        const login = await b.post('/auth/login', { email: 'USER3@example.com', password: PASSWORD });
        expect(login.status).toBe(200);
        const me = await b.get(`/users/${ids[3]}`, login.body.accessToken);
        expect(me.body).toMatchObject({ email: 'user3@example.com', name: 'User 3' });
        expect(String((await b.storage.kysely.selectFrom('User').select('email').where('id', '=', ids[3]!).executeTakeFirstOrThrow()).email)).toMatch(/^v1\.A256GCM\.b\./);
        // A value under a key the keyring lacks: the client gets a 500, the log names the field, record and key id.
        await b.storage.kysely.updateTable('User').set({ name: createFieldCipher(parseKeyring(newKey('gone')), 'aes-256-gcm').encrypt('x', 'User.name') }).where('id', '=', ids[3]!).execute();
        expect((await b.get(`/users/${ids[3]}`, login.body.accessToken)).status).toBe(500);
        expect(log.join('')).toContain(`cannot decrypt User.name of User ${ids[3]}: it is encrypted under key id \\"gone\\", which the keyring does not have (it has b)`);
      } finally {
        await b.close();
      }
    });
  });
});

describe('archspec serve and migrate with field encryption (CLI)', () => {
  let dir: string;
  const BIN = join(process.cwd(), 'bin', 'archspec.js');
  const run = (args: string[], env: Record<string, string>) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ARCHSPEC_KEY: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'archspec-enc-cli-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates without the key, refuses to serve without it or with a malformed one, and names a key the data needs', async () => {
    const spec = 'examples/linkly/archspec.yaml';
    const db = { DATABASE_URL: `sqlite:${join(dir, 'prod.sqlite')}`, ARCHSPEC_DATA_DIR: dir, ARCHSPEC_JWT_SECRET: JWT_SECRET };
    expect(await captureStdout(() => migrateCommand(spec, {}, db))).toMatchObject({ code: 0 });
    const storage = await createStorage(await exampleModel('linkly'), { engine: 'sqlite', url: join(dir, 'prod.sqlite'), fieldCipher: createFieldCipher(parseKeyring(newKey('a')), 'aes-256-gcm') });
    await storage.insert('User', { email: 'kept@example.com' });
    await storage.close();
    // The real CLI: one line, exit 2.
    const missing = await run(['serve', spec, '--port', '0'], db);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('archspec: ARCHSPEC_KEY is not set (it encrypts User.email, User.name at rest)\nhint: set ARCHSPEC_KEY to a key made with `openssl rand -base64 32`, and keep it safe: the encrypted data cannot be read without it\n');
    // The same command in-process: the CliErrors the CLI prints that way.
    await expect(serveCommand(spec, { port: '0' }, { ...db, ARCHSPEC_KEY: randomBytes(16).toString('base64') }))
      .rejects.toMatchObject({ name: 'CliError', message: 'ARCHSPEC_KEY: the key is not base64 of 32 bytes (it decodes to 16)' });
    await expect(serveCommand(spec, { port: '0' }, { ...db, ARCHSPEC_KEY: newKey('b') }))
      .rejects.toMatchObject({ name: 'CliError', message: 'User.email holds values encrypted under key id "a", which ARCHSPEC_KEY does not have (it has b)', hint: expect.stringContaining('archspec keys rotate') });
    expect(existsSync(join(dir, 'encryption-key'))).toBe(false);
  }, 60_000);
});
