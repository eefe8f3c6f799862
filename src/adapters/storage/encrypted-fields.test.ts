import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../model/analyze.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { parseYamlSpec } from '../../spec/parse-yaml.ts';
import { postgresUrl } from '../../../test/support/postgres.ts';
import { createStorage } from './create-storage.ts';
import { createFieldCipher } from './encryption/field-cipher.ts';
import { fieldKeyUsage, KeyRotationError, rotateFieldKeys, sampleFieldKeys } from './encryption/key-rotation.ts';
import { parseKeyring } from './encryption/keyring.ts';
import { planSchema } from './schema-plan.ts';
import type { FieldCipher, Row, Storage, StorageEngineName } from './storage.ts';
import { EncryptedFieldQueryError, FieldDecryptionError, FieldKeyUnavailableError, UniqueViolationError } from './storage-errors.ts';

// Field encryption in the storage adapter, on every engine: what the columns hold, typed values
// coming back, lookups through blind indexes, constraint errors, failures that must be loud, and
// key rotation (status, re-encryption, resumable batches).

const ENGINES = (process.env.STORAGE_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()) as StorageEngineName[];

const DATA = `
User:
  fields:
    email: { type: email, unique: true }
    name: { type: string, required: false }
    nickname: { type: string, required: false, filterable: true }
Note:
  owner: author
  fields:
    author: { ref: User }
    body: text
Secret:
  fields:
    owner: { ref: User }
    label: { type: string, filterable: true }
    note: text?
    born: date?
    at: timestamp?
    count: integer?
    ratio: number?
    amount: decimal?
    flag: boolean?
    bag: json?
    level: { type: enum, values: [low, high], default: low }
    token: { type: uuid, required: false, unique: true }
`;
const ENCRYPTED = ['User.email', 'User.name', 'User.nickname', ...['note', 'born', 'at', 'count', 'ratio', 'amount', 'flag', 'bag', 'level', 'token'].map((f) => `Secret.${f}`)];

/** The compact base spec with this data model and its fields encrypted. */
function encryptedModel(data = DATA, encrypted = ENCRYPTED): SystemModel {
  const spec = parse(readFileSync(new URL('../../../test/spec-errors/_base/archspec.yaml', import.meta.url), 'utf8')) as any;
  spec.data = parse(data);
  spec.architecture.storage.primary.holds = Object.keys(spec.data);
  spec.requirements.data = [{ rule: 'encrypted-at-rest', fields: encrypted }];
  const { document, problems } = parseYamlSpec(stringify(spec), 'encrypted.yaml');
  if (!document) throw new Error(problems.map((p) => p.message).join('\n'));
  const { model, diagnostics } = analyze(document);
  if (!model) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return model;
}

const model = encryptedModel();
const KEY_A = `a:${randomBytes(32).toString('base64')}`;
const KEY_B = `b:${randomBytes(32).toString('base64')}`;
const cipherOf = (keys: string): FieldCipher => createFieldCipher(parseKeyring(keys), 'aes-256-gcm');

const SECRET = {
  label: 'all kinds', note: 'a private note', born: '1990-04-01', at: '2024-03-01T08:30:15.123Z', count: -42, ratio: 0.125,
  amount: '12345678901234.000001', flag: false, bag: { colours: ['red'], nested: { ok: true } }, token: '6f1c2b0e-9d7a-4c1e-8a55-3b2f9e0d1c44',
};

describe.each(ENGINES)('encrypted fields on %s', (engine) => {
  let dir: string;
  let pg: { url: string; stop(): Promise<void> } | undefined;
  let url = '';
  const opened: Storage[] = [];
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-enc-'));
    if (engine === 'postgres') pg = await postgresUrl();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh, migrated database for one test (opened with `keys`; null: no cipher), and a way to open more storages on it. */
  async function fresh(keys: string | null = KEY_A, m = model): Promise<{ s: Storage; open(keys?: string): Promise<Storage> }> {
    if (engine === 'postgres') {
      await sql.raw('drop schema public cascade; create schema public').execute((await open(undefined)).kysely);
    } else url = join(dir, `t${++n}.sqlite`);
    async function open(k: string | undefined): Promise<Storage> {
      const storage = await createStorage(m, { engine, url: engine === 'postgres' ? pg!.url : url, ...(k ? { fieldCipher: cipherOf(k) } : {}) });
      opened.push(storage);
      return storage;
    }
    const s = await open(keys ?? undefined);
    await s.migrate();
    return { s, open };
  }
  const raw = async (s: Storage, table: string, id: unknown) => (await s.kysely.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Record<string, unknown>;

  it('stores ciphertext and a blind index, never the plaintext, and returns every type as written', async () => {
    const { s } = await fresh();
    const user = await s.insert('User', { email: 'Ada@Example.com', name: 'Ada Lovelace' });
    expect(user).toMatchObject({ email: 'Ada@Example.com', name: 'Ada Lovelace', nickname: null, version: 1 });
    const stored = await raw(s, 'User', user.id);
    expect(stored.email).toMatch(/^v1\.A256GCM\.a\./);
    expect(stored._bidx_email).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored.nickname).toBeNull();
    // Whole values: random base64 may well contain a short fragment such as "ada".
    expect(JSON.stringify(stored)).not.toMatch(/ada@example\.com|ada lovelace/i);
    const secret = await s.insert('Secret', { ...SECRET, owner: user.id });
    expect(secret).toMatchObject({ ...SECRET, level: 'low' });
    expect(await s.get('Secret', secret.id as string)).toEqual(secret);
    const rawSecret = await raw(s, 'Secret', secret.id);
    for (const f of ['note', 'born', 'at', 'count', 'ratio', 'amount', 'flag', 'bag', 'level', 'token']) expect(String(rawSecret[f]), f).toMatch(/^v1\.A256GCM\.a\./);
    expect(rawSecret.label).toBe('all kinds');
    const updated = await s.update('Secret', secret.id as string, { flag: true, count: 7, bag: [1, 'two', null], born: null });
    expect(updated).toMatchObject({ flag: true, count: 7, bag: [1, 'two', null], born: null, note: 'a private note' });
    expect((await s.list('Secret', { limit: 10, filters: [{ field: 'label', op: 'eq', value: 'all kinds' }] })).items).toEqual([updated]);
  });

  it('answers equality filters through the blind index: emails case-insensitively, other fields exactly', async () => {
    const { s } = await fresh();
    const ada = await s.insert('User', { email: 'ada@example.com', nickname: 'Countess' });
    const bob = await s.insert('User', { email: 'bob@example.com', nickname: 'countess' });
    await s.insert('User', { email: 'cy@example.com' });
    const ids = async (filters: Parameters<Storage['list']>[1]['filters']) => (await s.list('User', { limit: 10, filters })).items.map((u) => u.email).sort();
    expect(await ids([{ field: 'email', op: 'eq', value: '  ADA@example.COM ' }])).toEqual(['ada@example.com']);
    expect(await ids([{ field: 'email', op: 'in', value: ['Bob@example.com', 'cy@example.com', 'nobody@example.com'] }])).toEqual(['bob@example.com', 'cy@example.com']);
    expect(await ids([{ field: 'nickname', op: 'eq', value: 'Countess' }])).toEqual(['ada@example.com']);
    expect(await ids([{ field: 'nickname', op: 'ne', value: 'Countess' }])).toEqual(['bob@example.com', 'cy@example.com']);
    expect(await ids([{ field: 'nickname', op: 'isNull', value: true }])).toEqual(['cy@example.com']);
    expect(await ids([{ field: 'nickname', op: 'eq', value: null }])).toEqual(['cy@example.com']);
    expect((await s.list('User', { limit: 10, count: true, filters: [{ field: 'email', op: 'eq', value: 'bob@example.com' }] })).total).toBe(1);
    expect(ada.id).not.toBe(bob.id);
  });

  it('refuses ordering, ranges, substrings and equality without a blind index instead of answering wrongly', async () => {
    const { s } = await fresh();
    await expect(s.list('User', { limit: 10, filters: [{ field: 'email', op: 'like', value: '%ada%' }] })).rejects.toThrow(EncryptedFieldQueryError);
    await expect(s.list('User', { limit: 10, filters: [{ field: 'nickname', op: 'gt', value: 'a' }] })).rejects.toThrow(/User\.nickname is encrypted at rest: the gt filter/);
    await expect(s.list('User', { limit: 10, sort: [{ field: 'email', direction: 'asc' }] })).rejects.toThrow(/cannot be sorted by/);
    await expect(s.list('Secret', { limit: 10, filters: [{ field: 'note', op: 'eq', value: 'x' }] })).rejects.toThrow(/only encrypted fields that are unique or filterable can be matched/);
  });

  it('keeps unique fields unique through the blind index, whatever the case, on insert and update', async () => {
    const { s } = await fresh();
    const ada = await s.insert('User', { email: 'ada@example.com' });
    await expect(s.insert('User', { email: 'ADA@example.com' })).rejects.toMatchObject({ name: 'UniqueViolationError', entity: 'User', field: 'email' });
    const bob = await s.insert('User', { email: 'bob@example.com' });
    await expect(s.update('User', bob.id as string, { email: 'Ada@Example.com' })).rejects.toBeInstanceOf(UniqueViolationError);
    const secret = { label: 'x', owner: ada.id, token: SECRET.token };
    await s.insert('Secret', secret);
    await expect(s.insert('Secret', secret)).rejects.toMatchObject({ field: 'token' });
  });

  it('fails loudly on a value copied to another column, a flipped byte, or a key the keyring lacks', async () => {
    const { s, open } = await fresh();
    const ada = await s.insert('User', { email: 'ada@example.com', name: 'Ada' });
    const stored = await raw(s, 'User', ada.id);
    await s.kysely.updateTable('User').set({ name: stored.email }).where('id', '=', ada.id).execute();
    const swapped = await s.get('User', ada.id as string).catch((e: unknown) => e);
    expect(swapped).toBeInstanceOf(FieldDecryptionError);
    expect(String((swapped as Error).message)).toBe(`cannot decrypt User.name of User ${ada.id}: authentication failed under key id "a": the value was altered, copied from another field, or the key with that id changed`);
    const parts = String(stored.email).split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[3] = data[3]! ^ 0x80;
    await s.kysely.updateTable('User').set({ name: null, email: [...parts.slice(0, 4), data.toString('base64url')].join('.') }).where('id', '=', ada.id).execute();
    await expect(s.get('User', ada.id as string)).rejects.toMatchObject({ reason: 'authentication_failed', context: 'User.email' });
    await expect(s.list('User', { limit: 5 })).rejects.toThrow(FieldDecryptionError);
    const bob = await s.insert('User', { email: 'bob@example.com' });
    const other = await open(KEY_B);
    await expect(other.get('User', bob.id as string)).rejects.toThrow(/under key id "a", which the keyring does not have \(it has b\)/);
    expect((await sampleFieldKeys(other, model, cipherOf(KEY_B))).unknownKeys).toEqual(new Map([['a', ['User.email']]]));
  });

  it('fails closed without a cipher: nothing is written or read in plaintext, and migrating needs no key', async () => {
    const { s, open } = await fresh(null);
    expect(await s.isMigrated()).toBe(true);
    await expect(s.insert('User', { email: 'ada@example.com' })).rejects.toBeInstanceOf(FieldKeyUnavailableError);
    const keyed = await open(KEY_A);
    const ada = await keyed.insert('User', { email: 'ada@example.com' });
    await expect(s.get('User', ada.id as string)).rejects.toThrow('User.email is encrypted at rest, but this storage was opened without the encryption key');
    await expect(s.list('User', { limit: 1, filters: [{ field: 'email', op: 'eq', value: 'x@example.com' }] })).rejects.toBeInstanceOf(FieldKeyUnavailableError);
    expect(await s.insert('Note', { author: ada.id, body: 'not encrypted' })).toMatchObject({ body: 'not encrypted' });
  });

  it('rotates: values under A stay readable and findable with "b,a", unique across keys, then all move to B', async () => {
    const { s, open } = await fresh(KEY_A);
    const users: Row[] = [];
    for (let i = 0; i < 7; i++) users.push(await s.insert('User', { email: `u${i}@example.com`, name: `User ${i}`, nickname: i % 2 ? 'odd' : null }));
    const secret = await s.insert('Secret', { ...SECRET, owner: users[0]!.id });
    // A value stored before its field was encrypted: plaintext, no blind index.
    await s.kysely.updateTable('User').set({ name: 'Legacy Name', nickname: 'legacy', _bidx_nickname: null }).where('id', '=', users[6]!.id).execute();
    const both = await open(`${KEY_B},${KEY_A}`);
    const ba = cipherOf(`${KEY_B},${KEY_A}`);
    expect(await both.get('User', users[1]!.id as string)).toMatchObject({ email: 'u1@example.com', name: 'User 1' });
    expect((await both.list('User', { limit: 10, filters: [{ field: 'email', op: 'eq', value: 'U2@example.com' }] })).items).toHaveLength(1);
    await expect(both.insert('User', { email: 'u3@EXAMPLE.com' })).rejects.toMatchObject({ name: 'UniqueViolationError', field: 'email' });
    const fresh8 = await both.insert('User', { email: 'u8@example.com', name: 'Under B' });
    expect(String((await raw(both, 'User', fresh8.id)).email)).toMatch(/^v1\.A256GCM\.b\./);

    const before = await fieldKeyUsage(both, model, ba);
    expect(before.find((u) => u.field === 'email')).toMatchObject({ keys: { a: 7, b: 1 }, plaintext: 0, unknownKeys: [] });
    expect(before.find((u) => u.field === 'name')).toMatchObject({ keys: { a: 6, b: 1 }, plaintext: 1 });
    expect((await sampleFieldKeys(both, model, ba)).plaintext).toEqual(['User.name', 'User.nickname']);

    const progress: number[] = [];
    const counts = await rotateFieldKeys(both, model, ba, { batchSize: 3, onBatch: (c) => progress.push(c.rows) });
    expect(progress).toEqual([3, 6, 8, 1]);
    expect(counts.find((c) => c.entity === 'User')).toEqual({ entity: 'User', rows: 8, updated: 7, reencrypted: 7 + 7 + 4, plaintext: 2, indexes: 7 + 4 });
    expect(counts.find((c) => c.entity === 'Secret')).toMatchObject({ rows: 1, updated: 1, reencrypted: 10, indexes: 1 });
    expect((await rotateFieldKeys(both, model, ba)).every((c) => c.updated === 0)).toBe(true);
    const after = await fieldKeyUsage(both, model, ba);
    expect(after.every((u) => Object.keys(u.keys).every((id) => id === 'b') && u.plaintext === 0)).toBe(true);

    const onlyB = await open(KEY_B);
    const all = (await onlyB.list('User', { limit: 20 })).items;
    expect(all.map((u) => u.email).sort()).toEqual([...users.map((u) => u.email), 'u8@example.com'].sort());
    expect(all.find((u) => u.id === users[6]!.id)).toMatchObject({ name: 'Legacy Name', nickname: 'legacy', version: 1 });
    expect((await onlyB.list('User', { limit: 10, filters: [{ field: 'nickname', op: 'eq', value: 'legacy' }] })).items).toHaveLength(1);
    expect((await onlyB.list('User', { limit: 10, filters: [{ field: 'nickname', op: 'eq', value: 'odd' }] })).items).toHaveLength(3);
    expect(await onlyB.get('Secret', secret.id as string)).toEqual(secret);
  });

  it('stops rotation at a value under a key the keyring lacks, naming it; earlier batches stay done', async () => {
    const { s, open } = await fresh(KEY_A);
    for (let i = 0; i < 4; i++) await s.insert('User', { email: `u${i}@example.com` });
    const onlyB = await open(KEY_B);
    await expect(rotateFieldKeys(onlyB, model, cipherOf(KEY_B))).rejects.toThrow(KeyRotationError);
    await expect(rotateFieldKeys(onlyB, model, cipherOf(KEY_B))).rejects.toThrow(/^cannot decrypt User\.email of User .+: it is encrypted under key id "a"/);
  });

  it('encrypts a deployment that stored plaintext: the migration moves the unique index, rotate encrypts and indexes', async () => {
    const plain = encryptedModel(DATA, ['User.nickname']);
    const { s } = await fresh(KEY_A, plain);
    const ada = await s.insert('User', { email: 'ada@example.com', name: 'Ada' });
    const secret = await s.insert('Secret', { ...SECRET, owner: ada.id });
    const keyed = await createStorage(model, { engine, url: engine === 'postgres' ? pg!.url : url, fieldCipher: cipherOf(KEY_A) });
    opened.push(keyed);
    // Text columns stay text (additive); typed ones become text, a type change to allow.
    expect((await keyed.migrate()).refused).toBe(true);
    const report = await keyed.migrate({ allowDestructive: true });
    expect(report.applied.join('\n')).toMatch(/ux_User__bidx_email/);
    expect(report.destructive.length).toBeGreaterThan(0);
    expect(report.destructive.filter((d) => !/^change type of Secret\.(born|at|count|ratio|amount|flag|bag|token) /.test(d))).toEqual([]);
    expect(await keyed.get('User', ada.id as string)).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
    expect(await keyed.get('Secret', secret.id as string)).toEqual(secret);
    // Until rotation the old rows have no blind index: lookups miss them, the start-up sample warns.
    expect((await keyed.list('User', { limit: 5, filters: [{ field: 'email', op: 'eq', value: 'ada@example.com' }] })).items).toEqual([]);
    expect((await sampleFieldKeys(keyed, model, cipherOf(KEY_A))).plaintext).toContain('User.email');
    await rotateFieldKeys(keyed, model, cipherOf(KEY_A));
    expect((await keyed.list('User', { limit: 5, filters: [{ field: 'email', op: 'eq', value: 'ADA@example.com' }] })).items).toHaveLength(1);
    expect(String((await raw(keyed, 'Secret', secret.id)).flag)).toMatch(/^v1\./);
    expect(await keyed.get('Secret', secret.id as string)).toEqual(secret);
    await expect(keyed.insert('User', { email: 'Ada@example.com' })).rejects.toBeInstanceOf(UniqueViolationError);
  });

  it('refuses to plan an encrypted reference', () => {
    const bad = encryptedModel(DATA, ['Secret.owner']);
    expect(() => planSchema(bad, engine)).toThrow('Secret.owner is a reference and cannot be encrypted at rest');
  });
});
