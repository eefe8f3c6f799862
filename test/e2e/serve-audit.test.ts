import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage, StorageEngineName } from '../../src/adapters/storage/storage.ts';
import { ApiError } from '../../src/runtime/api-error.ts';
import { audited } from '../../src/runtime/data/audit/audited-storage.ts';
import { AUDIT_TRIGGERS, installAuditTriggers } from '../../src/runtime/data/audit/audit-triggers.ts';
import { verifyChain } from '../../src/runtime/data/audit/audit-verify.ts';
import { runAs } from '../../src/runtime/request-context.ts';
import { exampleModel } from '../../src/runtime/test-support/example-models.ts';
import { ENGINES, serve, type Served } from './serve-harness.ts';

// The audit log over real HTTP: one row per write of an audited entity in the write's transaction,
// masked personal data, a hash chain that `verify` checks, append-only triggers, and immutable entities.

const FIXTURES = join(process.cwd(), 'test', 'e2e', 'fixtures', 'audit');

interface Row { seq: number; at: string; actor: string; action: string; entity: string; recordId: string; requestId: string | null; before: any; after: any; prevHash: string; hash: string }

async function auditRows(storage: Storage, where: { entity?: string; recordId?: string } = {}): Promise<Row[]> {
  let q = storage.kysely.selectFrom('_archspec_audit').selectAll();
  if (where.entity) q = q.where('entity', '=', where.entity);
  if (where.recordId) q = q.where('recordId', '=', where.recordId);
  const rows = await q.orderBy('seq').execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), before: r.before ? JSON.parse(r.before) : null, after: r.after ? JSON.parse(r.after) : null }) as Row);
}

/** Drops the append-only triggers (a database administrator tampering), runs `fn`, puts them back. */
async function withoutTriggers(storage: Storage, engine: StorageEngineName, fn: () => Promise<void>): Promise<void> {
  for (const name of AUDIT_TRIGGERS[engine]) {
    await sql`drop trigger if exists ${sql.id(name)}${engine === 'postgres' ? sql` on "_archspec_audit"` : sql``}`.execute(storage.kysely);
  }
  try {
    await fn();
  } finally {
    expect(await installAuditTriggers(storage)).toEqual({ ok: true });
  }
}

const rawUpdate = (storage: Storage, seq: number, set: Record<string, unknown>) => storage.kysely.updateTable('_archspec_audit').set(set).where('seq', '=', seq).execute();

describe.each(ENGINES)('audit log on %s', (engine) => {
  describe('linkly (User and Link audited)', () => {
    let s: Served;
    let alice: { id: string; token: string };
    beforeAll(async () => {
      s = await serve('linkly', engine, {
        spec: (text) => text.replace('  endpoints:\n', `  endpoints:\n    POST /links/{code}/rename: { handler: ${join(FIXTURES, 'write-then-throw.ts')}, roles: [user, admin], component: links }\n`),
      });
      alice = await s.account('alice@example.com', { fields: { name: 'Alice' } });
    }, 60_000);
    afterAll(async () => s?.close());

    it('writes one row per create, update and delete, with the actor, request id, masked personal data and before/after', async () => {
      const [signup] = await auditRows(s.storage, { entity: 'User', recordId: alice.id });
      expect(signup).toMatchObject({ action: 'create', actor: 'anonymous', before: null });
      expect(signup!.after).toMatchObject({ id: alice.id, email: '***', name: '***', role: 'user', version: 1 });
      expect(signup!.after).not.toHaveProperty('password');
      expect(JSON.stringify(signup)).not.toContain('alice@example.com');

      const created = await s.call('POST', '/links', { token: alice.token, body: { target: 'https://example.com/a', title: 'first' } });
      expect(created.status).toBe(201);
      const code = created.body.code as string;
      const patched = await s.call('PATCH', `/links/${code}`, { token: alice.token, headers: { 'if-match': created.headers.get('etag')! }, body: { title: 'second' } });
      expect(patched.status).toBe(200);
      const removed = await s.call('DELETE', `/links/${code}`, { token: alice.token });
      expect(removed.status).toBe(204);

      const rows = await auditRows(s.storage, { entity: 'Link', recordId: code });
      expect(rows.map((r) => r.action)).toEqual(['create', 'update', 'delete']);
      for (const r of rows) expect(r.actor).toBe(`user:${alice.id}`);
      expect(rows[0]!.requestId).toBe(created.headers.get('x-request-id'));
      expect(rows[1]!.requestId).toBe(patched.headers.get('x-request-id'));
      expect(rows[0]!.after).toMatchObject({ code, target: 'https://example.com/a', title: 'first', owner: alice.id, version: 1 });
      expect(rows[1]!.before).toMatchObject({ title: 'first', version: 1 });
      expect(rows[1]!.after).toMatchObject({ title: 'second', version: 2 });
      // Link is soft-deleted: the delete row keeps the record as it was and as it is now.
      expect(rows[2]!.before).toMatchObject({ title: 'second', deletedAt: null });
      expect(rows[2]!.after.deletedAt).toEqual(expect.any(String));
    });

    it('shows that a masked field changed without showing the value', async () => {
      const user = await s.call('GET', `/users/${alice.id}`, { token: alice.token });
      const r = await s.call('PATCH', `/users/${alice.id}`, { token: alice.token, headers: { 'if-match': user.headers.get('etag')! }, body: { name: 'Alice B.' } });
      expect(r.status).toBe(200);
      const update = (await auditRows(s.storage, { entity: 'User', recordId: alice.id })).at(-1)!;
      expect(update).toMatchObject({ action: 'update', actor: `user:${alice.id}` });
      expect(update.before).toMatchObject({ name: '***', email: '***' });
      expect(update.after).toMatchObject({ name: '***(changed)', email: '***' });
      expect(JSON.stringify(update)).not.toContain('Alice');
    });

    it('names the API key of a caller that used one', async () => {
      const key = await s.call('POST', '/auth/api-keys', { token: alice.token, body: { name: 'ci' } });
      expect(key.status).toBe(201);
      const created = await s.call('POST', '/links', { headers: { 'x-api-key': key.body.key }, body: { target: 'https://example.com/key' } });
      expect(created.status).toBe(201);
      const [row] = await auditRows(s.storage, { entity: 'Link', recordId: created.body.code });
      expect(row!.actor).toBe(`user:${alice.id} apikey:${key.body.id}`);
    });

    it('leaves no audit row (and no write) when a handler throws after writing', async () => {
      const created = await s.call('POST', '/links', { token: alice.token, body: { target: 'https://example.com/b', title: 'kept' } });
      const code = created.body.code as string;
      const before = await auditRows(s.storage);
      const failed = await s.call('POST', `/links/${code}/rename`, { token: alice.token });
      expect(failed.status).toBe(500);
      expect(await auditRows(s.storage)).toEqual(before);
      expect((await s.call('GET', `/links/${code}`, { token: alice.token })).body.title).toBe('kept');
    });

    it('audits the links a user delete removes through its cascade', async () => {
      const bob = await s.account('bob@example.com');
      const links: string[] = [];
      for (const n of [1, 2]) links.push((await s.call('POST', '/links', { token: bob.token, body: { target: `https://example.com/bob${n}` } })).body.code);
      expect((await s.call('DELETE', `/links/${links[1]}`, { token: bob.token })).status).toBe(204);
      const seqBefore = (await auditRows(s.storage)).at(-1)!.seq;
      expect((await s.call('DELETE', `/users/${bob.id}`, { token: bob.token })).status).toBe(204);
      const rows = (await auditRows(s.storage)).filter((r) => r.seq > seqBefore);
      expect(rows.map((r) => `${r.action} ${r.entity}/${r.recordId}`).sort()).toEqual([`delete Link/${links[0]}`, `delete Link/${links[1]}`, `delete User/${bob.id}`].sort());
      expect(rows.every((r) => r.actor === `user:${bob.id}` && r.after === null)).toBe(true);
      expect(rows.find((r) => r.entity === 'User')!.before).toMatchObject({ id: bob.id, email: '***' });
    });

    it('keeps one valid chain when 20 requests write at once', async () => {
      const before = (await auditRows(s.storage)).length;
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        s.call('POST', '/links', { token: alice.token, body: { target: `https://example.com/parallel/${i}` } })));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
      const rows = await auditRows(s.storage);
      expect(rows.length).toBe(before + 20);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      const report = await verifyChain(s.storage.kysely);
      expect(report.broken).toBeUndefined();
      expect(report).toMatchObject({ rows: rows.length, head: { seq: rows.length, hash: rows.at(-1)!.hash } });
    });

    it('refuses to update or delete audit rows in the database', async () => {
      await expect(rawUpdate(s.storage, 1, { actor: 'someone else' })).rejects.toThrow(/append-only/);
      await expect(s.storage.kysely.deleteFrom('_archspec_audit').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
      if (engine === 'postgres') await expect(sql`truncate "_archspec_audit"`.execute(s.storage.kysely)).rejects.toThrow(/append-only/);
      expect((await auditRows(s.storage))[0]!.actor).toBe('anonymous');
    });

    it('verify finds an altered row, a missing row, reordered rows and a truncated end', async () => {
      const rows = await auditRows(s.storage);
      const head = rows.at(-1)!;
      const intact = await verifyChain(s.storage.kysely, { expectHead: head.hash });
      expect(intact).toMatchObject({ rows: rows.length, expectedAt: rows.length });
      expect(intact.broken).toBeUndefined();
      const victim = rows[3]!;
      const original = await s.storage.kysely.selectFrom('_archspec_audit').selectAll().where('seq', '=', victim.seq).executeTakeFirstOrThrow();
      await withoutTriggers(s.storage, engine, async () => {
        // Altered content.
        await rawUpdate(s.storage, victim.seq, { after: JSON.stringify({ ...victim.after, title: 'forged' }) });
        expect((await verifyChain(s.storage.kysely)).broken).toMatchObject({ seq: victim.seq, reason: 'altered' });
        await rawUpdate(s.storage, victim.seq, { after: original.after });
        expect((await verifyChain(s.storage.kysely)).broken).toBeUndefined();
        // A missing middle row.
        await s.storage.kysely.deleteFrom('_archspec_audit').where('seq', '=', victim.seq).execute();
        expect((await verifyChain(s.storage.kysely)).broken).toMatchObject({ seq: victim.seq, reason: 'missing' });
        // ... also when the later rows are renumbered to close the gap.
        for (const r of rows.filter((x) => x.seq > victim.seq)) await rawUpdate(s.storage, r.seq, { seq: r.seq - 1 });
        expect((await verifyChain(s.storage.kysely)).broken).toMatchObject({ seq: victim.seq, reason: 'missing' });
        for (const r of rows.filter((x) => x.seq > victim.seq).reverse()) await rawUpdate(s.storage, r.seq - 1, { seq: r.seq });
        await s.storage.kysely.insertInto('_archspec_audit').values(original).execute();
        expect((await verifyChain(s.storage.kysely)).broken).toBeUndefined();
        // Two rows swapped.
        await rawUpdate(s.storage, 5, { seq: -1 });
        await rawUpdate(s.storage, 6, { seq: 5 });
        await rawUpdate(s.storage, -1, { seq: 6 });
        expect((await verifyChain(s.storage.kysely)).broken).toMatchObject({ seq: 5, reason: 'reordered' });
        await rawUpdate(s.storage, 5, { seq: -1 });
        await rawUpdate(s.storage, 6, { seq: 5 });
        await rawUpdate(s.storage, -1, { seq: 6 });
        // The newest row removed: the chain alone still holds, the recorded head does not.
        await s.storage.kysely.deleteFrom('_archspec_audit').where('seq', '=', head.seq).execute();
        expect((await verifyChain(s.storage.kysely)).broken).toBeUndefined();
        expect((await verifyChain(s.storage.kysely, { expectHead: head.hash })).broken).toMatchObject({ reason: 'truncated' });
        // An older head is still in the chain: rows appended since are fine.
        expect(await verifyChain(s.storage.kysely, { expectHead: rows[1]!.hash })).toMatchObject({ expectedAt: 2, rows: rows.length - 1 });
      });
      // The triggers are back (installed again as at a server start).
      await expect(rawUpdate(s.storage, 1, { actor: 'someone else' })).rejects.toThrow(/append-only/);
    });
  });

  describe('payments (Order audited, LedgerEntry immutable)', () => {
    let s: Served;
    let shopper: { id: string; token: string };
    let admin: { id: string; token: string };
    let entry: string;
    beforeAll(async () => {
      s = await serve('payments', engine, {
        spec: (text) => text
          .replace('Refund:*, Settlement:read, LedgerEntry:read]', 'Refund:*, Settlement:read, LedgerEntry:*]')
          .replace('  endpoints:\n', [
            '  endpoints:',
            '    PATCH /ledger-entries/{id}: { does: update LedgerEntry, roles: [admin] }',
            '    DELETE /ledger-entries/{id}: { does: delete LedgerEntry, roles: [admin] }',
            `    POST /ledger-entries/{id}/amend: { handler: ${join(FIXTURES, 'amend-ledger-entry.ts')}, roles: [admin], component: ledger }`,
            '',
          ].join('\n')),
      });
      shopper = await s.account('shopper@example.com', { fields: { name: 'Sam' } });
      admin = await s.account('admin@example.com', { role: 'admin', fields: { name: 'Ada' } });
      const posted = await s.storage.insert('LedgerEntry', {
        journal: '7d0c8f0e-4a4e-4f43-9a55-0c7f5a1b2c3d', account: 'sales-revenue', direction: 'credit', amount: '10.00', currency: 'EUR', postedAt: new Date().toISOString(),
      });
      entry = String(posted.id);
    }, 60_000);
    afterAll(async () => s?.close());

    it('audits the order a custom handler creates, in the handler\'s transaction', async () => {
      const product = await s.call('POST', '/products', { token: admin.token, body: { sku: 'MUG-1', name: 'Mug', unitPrice: '12.50', currency: 'EUR' } });
      const order = await s.call('POST', '/orders', { token: shopper.token, body: { currency: 'EUR', shippingAddress: '1 Main St', items: [{ product: product.body.id, quantity: 2 }] } });
      expect(order.status).toBe(201);
      const rows = await auditRows(s.storage, { entity: 'Order', recordId: order.body.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'create', actor: `user:${shopper.id}`, requestId: order.headers.get('x-request-id') });
      expect(rows[0]!.after).toMatchObject({ total: '25.00', currency: 'EUR', shippingAddress: '***', customer: shopper.id });
      // OrderItem and Product are not audited.
      expect(await auditRows(s.storage, { entity: 'OrderItem' })).toEqual([]);
      expect(await auditRows(s.storage, { entity: 'Product' })).toEqual([]);
    });

    it('refuses PATCH and DELETE of an immutable record with 409 immutable_record', async () => {
      const current = await s.call('GET', `/ledger-entries/${entry}`, { token: admin.token });
      expect(current.status).toBe(200);
      const patched = await s.call('PATCH', `/ledger-entries/${entry}`, { token: admin.token, headers: { 'if-match': current.headers.get('etag')! }, body: { memo: 'edited' } });
      expect(patched.status).toBe(409);
      expect(patched.body).toMatchObject({ code: 'immutable_record', detail: expect.stringContaining(`LedgerEntry ${entry} cannot be changed`) });
      const deleted = await s.call('DELETE', `/ledger-entries/${entry}`, { token: admin.token });
      expect(deleted.status).toBe(409);
      expect(deleted.body.code).toBe('immutable_record');
      expect((await s.call('GET', `/ledger-entries/${entry}`, { token: admin.token })).body).toMatchObject({ memo: null, version: 1 });
    });

    it('refuses a custom handler\'s update or delete of an immutable record', async () => {
      for (const body of [{}, { remove: true }]) {
        const r = await s.call('POST', `/ledger-entries/${entry}/amend`, { token: admin.token, body });
        expect(r.status).toBe(409);
        expect(r.body.code).toBe('immutable_record');
      }
      expect(await s.storage.get('LedgerEntry', entry)).toMatchObject({ memo: null, version: 1 });
    });

    it('lets the retention purge delete an immutable record, and nobody else', async () => {
      const storage = audited(s.storage, await exampleModel('payments'));
      const update = runAs({ source: 'job', actor: 'job:retention-purge', purpose: 'retention' }, () => storage.update('LedgerEntry', entry, { memo: 'x' }));
      await expect(update).rejects.toMatchObject({ code: 'immutable_record' });
      await expect(runAs({ source: 'job', actor: 'job:other' }, () => storage.delete('LedgerEntry', entry))).rejects.toBeInstanceOf(ApiError);
      expect(await runAs({ source: 'job', actor: 'job:retention-purge', purpose: 'retention' }, () => storage.delete('LedgerEntry', entry))).toBe(true);
      expect(await s.storage.get('LedgerEntry', entry)).toBeUndefined();
    });
  });
});

/** Runs the real CLI (`node bin/archspec.js ...`) against a database; resolves with its exit code and output. */
function cli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'archspec.js'), ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('archspec audit (CLI) on a SQLite file', () => {
  const SPEC = join('examples', 'linkly', 'archspec.yaml');
  let s: Served;
  let link: string;
  beforeAll(async () => {
    s = await serve('linkly', 'sqlite');
    const alice = await s.account('alice@example.com', { fields: { name: 'Alice' } });
    link = (await s.call('POST', '/links', { token: alice.token, body: { target: 'https://example.com/cli', title: 'cli' } })).body.code;
    await s.call('POST', '/links', { token: alice.token, body: { target: 'https://example.com/cli2' } });
  }, 60_000);
  afterAll(async () => s?.close());

  it('verify exits 0 with the row count and head, 1 naming an altered row or a removed newest row; list prints a record\'s rows', async () => {
    const rows = await auditRows(s.storage);
    const head = rows.at(-1)!.hash;
    // Read-only runs first, side by side (each CLI start costs a second or two).
    const [ok, listed, bad] = await Promise.all([
      cli(['audit', 'verify', SPEC], s.databaseUrl),
      cli(['audit', 'list', SPEC, '--entity', 'Link', '--id', link], s.databaseUrl),
      cli(['audit', 'verify', SPEC, '--expect-head', 'nope'], s.databaseUrl),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`audit chain intact: ${rows.length} rows, head ${head}`);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^\\d+  \\S+  user:\\S+  create Link/${link}  \\S+  \\{.*"title":"cli"`));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^archspec: --expect-head nope is not a head hash\nhint: /);

    await withoutTriggers(s.storage, 'sqlite', async () => {
      await rawUpdate(s.storage, 2, { after: '{"forged":true}' });
      const altered = await cli(['audit', 'verify', SPEC], s.databaseUrl);
      expect(altered.code).toBe(1);
      expect(altered.stdout).toContain('audit chain broken at seq 2: row 2 was altered');
      await rawUpdate(s.storage, 2, { after: JSON.stringify(rows[1]!.after) });

      await s.storage.kysely.deleteFrom('_archspec_audit').where('seq', '=', rows.length).execute();
      const truncated = await cli(['audit', 'verify', SPEC, '--expect-head', head], s.databaseUrl);
      expect(truncated.code).toBe(1);
      expect(truncated.stdout).toContain(`the expected head ${head} is not in the chain`);
    });
  });
});
