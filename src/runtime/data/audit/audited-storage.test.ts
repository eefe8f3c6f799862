import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../../adapters/storage/create-storage.ts';
import type { Storage } from '../../../adapters/storage/storage.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { runAs } from '../../request-context.ts';
import { exampleModel } from '../../test-support/example-models.ts';
import { audited } from './audited-storage.ts';
import { installAuditTriggers } from './audit-triggers.ts';
import { listAudit, verifyChain } from './audit-verify.ts';

// The wrapper on an in-memory SQLite database with the payments model: Settlement is audited,
// LedgerEntry immutable (neither has encrypted fields). The e2e suite covers HTTP, PostgreSQL and cascades.

const settlement = (batch: string) => ({
  batchDate: '2025-01-01', periodStart: '2024-12-31T23:00:00.000Z', periodEnd: '2025-01-01T23:00:00.000Z', currency: 'EUR',
  paymentCount: 1, refundCount: 0, grossAmount: '10.00', refundAmount: '0.00', feeAmount: '0.30', netAmount: '9.70', processorBatchId: batch,
});
const entry = { journal: '7d0c8f0e-4a4e-4f43-9a55-0c7f5a1b2c3d', account: 'sales-revenue', direction: 'credit', amount: '10.00', currency: 'EUR', postedAt: '2025-01-01T00:00:00.000Z' };

describe('audited storage', () => {
  let model: SystemModel;
  let raw: Storage;
  let storage: Storage;
  beforeEach(async () => {
    model = await exampleModel('payments');
    raw = await createStorage(model, { engine: 'sqlite', url: ':memory:' });
    await raw.migrate();
    storage = audited(raw, model);
  });
  afterEach(async () => raw.close());

  it('writes one row per write, as the actor at work, with before and after', async () => {
    const created = await storage.insert('Settlement', settlement('B1'));
    const id = String(created.id);
    await runAs({ source: 'job', actor: 'job:settle-daily', requestId: 'run-7' }, () => storage.update('Settlement', id, { status: 'settled' }));
    expect(await storage.delete('Settlement', id)).toBe(true);
    const rows = await listAudit(raw.kysely, { entity: 'Settlement' });
    expect(rows.map((r) => [r.action, r.actor, r.requestId])).toEqual([['create', 'system', null], ['update', 'job:settle-daily', 'run-7'], ['delete', 'system', null]]);
    expect(JSON.parse(rows[1]!.before!)).toMatchObject({ status: 'submitted', version: 1 });
    expect(JSON.parse(rows[1]!.after!)).toMatchObject({ status: 'settled', version: 2 });
    expect(rows[2]!.after).toBeNull();
    expect((await verifyChain(raw.kysely)).broken).toBeUndefined();
  });

  it('writes nothing for a rolled-back transaction, a version conflict or an absent record', async () => {
    await expect(storage.transaction(async (tx) => {
      await tx.insert('Settlement', settlement('B2'));
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    const id = String((await storage.insert('Settlement', settlement('B3'))).id);
    expect(await storage.update('Settlement', id, { status: 'settled' }, { expectedVersion: 9 })).toMatchObject({ conflict: 'version' });
    expect(await storage.update('Settlement', '00000000-0000-4000-8000-000000000000', { status: 'settled' })).toBeUndefined();
    expect(await storage.delete('Settlement', '00000000-0000-4000-8000-000000000000')).toBe(false);
    expect((await listAudit(raw.kysely)).map((r) => r.action)).toEqual(['create']);
  });

  it('does not audit entities without the rule', async () => {
    await storage.insert('Product', { sku: 'MUG-1', name: 'Mug', unitPrice: '1.00', currency: 'EUR' });
    expect(await listAudit(raw.kysely)).toEqual([]);
  });

  it('refuses updates and deletes of immutable records, except deletes by the retention purge', async () => {
    const id = String((await storage.insert('LedgerEntry', entry)).id);
    await expect(storage.update('LedgerEntry', id, { memo: 'x' })).rejects.toMatchObject({ code: 'immutable_record', status: 409 });
    await expect(storage.transaction((tx) => tx.delete('LedgerEntry', id))).rejects.toMatchObject({ code: 'immutable_record' });
    await expect(runAs({ source: 'job', actor: 'job:x', purpose: 'erasure' }, () => storage.delete('LedgerEntry', id))).rejects.toMatchObject({ code: 'immutable_record' });
    expect(await raw.get('LedgerEntry', id)).toMatchObject({ memo: null, version: 1 });
    expect(await runAs({ source: 'job', actor: 'job:retention', purpose: 'retention' }, () => storage.delete('LedgerEntry', id))).toBe(true);
  });

  it('lets anyone delete an immutable record once its retention period has ended', async () => {
    // payments keeps LedgerEntry 2555 days, aged by postedAt (it has no createdAt).
    const old = String((await storage.insert('LedgerEntry', { ...entry, postedAt: new Date(Date.now() - 2556 * 86_400_000).toISOString() })).id);
    const recent = String((await storage.insert('LedgerEntry', { ...entry, postedAt: new Date(Date.now() - 2554 * 86_400_000).toISOString() })).id);
    expect(await runAs({ source: 'job', actor: 'job:expire-ledger' }, () => storage.delete('LedgerEntry', old))).toBe(true);
    await expect(runAs({ source: 'job', actor: 'job:expire-ledger' }, () => storage.delete('LedgerEntry', recent))).rejects.toMatchObject({ code: 'immutable_record' });
    await expect(storage.update('LedgerEntry', recent, { memo: 'x' })).rejects.toMatchObject({ code: 'immutable_record' });
    expect(await storage.delete('LedgerEntry', '999999')).toBe(false);
  });

  it('chains the rows of concurrent transactions in commit order', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => storage.transaction(async (tx) => {
      await tx.insert('Settlement', settlement(`C${i}`));
      await tx.insert('Settlement', settlement(`D${i}`));
    })));
    const report = await verifyChain(raw.kysely);
    expect(report).toMatchObject({ rows: 20 });
    expect(report.broken).toBeUndefined();
  });

  it('installs append-only triggers once the table exists, idempotently', async () => {
    expect(await installAuditTriggers(raw)).toEqual({ ok: true });
    expect(await installAuditTriggers(raw)).toEqual({ ok: true });
    await storage.insert('Settlement', settlement('E1'));
    await expect(raw.kysely.updateTable('_archspec_audit').set({ actor: 'x' }).execute()).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(raw.kysely.deleteFrom('_archspec_audit').execute()).rejects.toThrow(/append-only: DELETE refused/);
    const fresh = await createStorage(model, { engine: 'sqlite', url: ':memory:' });
    expect(await installAuditTriggers(fresh)).toMatchObject({ ok: false, reason: expect.stringContaining('not migrated') });
    await fresh.close();
  });
});
