import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row, Storage } from '../../adapters/storage/storage.ts';
import { AUDIT_TABLE } from '../../adapters/storage/system-tables/audit-tables.ts';
import { editedSpecModel } from '../../model/test-support/edited-spec.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { runAs } from '../request-context.ts';
import { exampleModel } from '../test-support/example-models.ts';
import { age, openTestStorage, TEST_ENGINES } from '../test-support/test-storage.ts';
import { audited } from './audit/audited-storage.ts';
import { purgeExpired, retentionAgeField } from './retention.ts';

/**
 * The retention purge on a real database of each engine: records are aged by writing their time
 * field directly, then purged through the audited storage the server uses.
 */

const DAY = 86_400_000;

describe('retentionAgeField', () => {
  it('ages by createdAt, else by the first required timestamp field', async () => {
    const payments = await exampleModel('payments');
    const of = (name: string) => retentionAgeField(payments.entities.find((e) => e.name === name)!);
    expect(of('Order')).toBe('createdAt');
    expect(of('LedgerEntry')).toBe('postedAt');
  });
});

describe.each(TEST_ENGINES)('purgeExpired on telehealth (%s)', (engine) => {
  let model: SystemModel;
  let raw: Storage;
  let storage: Storage;
  let close: () => Promise<void>;
  let patient: Row;
  let clinician: Row;

  const appointment = async () => (await raw.insert('Appointment', {
    patient: patient.id, clinician: clinician.id, startsAt: '2020-01-01T09:00:00.000Z', endsAt: '2020-01-01T09:20:00.000Z', reason: 'cough',
  })).id as string;
  const note = async (appointmentId: string, amends?: string) => (await raw.insert('VisitNote', {
    appointment: appointmentId, patient: patient.id, author: clinician.id, subjective: 's', assessment: 'a', plan: 'p', ...(amends ? { amends } : {}),
  })).id as string;
  const exists = async (entity: string, id: string) => (await raw.get(entity, id, { includeDeleted: true })) !== undefined;

  beforeAll(async () => {
    model = await exampleModel('telehealth');
    ({ storage: raw, close } = await openTestStorage(model, engine));
    storage = audited(raw, model);
    const doctor = await raw.insert('User', { email: 'doc@example.com', name: 'Doc', role: 'clinician' });
    clinician = await raw.insert('Clinician', { user: doctor.id, specialty: 'general-practice', licenseNumber: 'L-1', licenseCountry: 'DE', workingHours: {} });
    patient = await raw.insert('User', { email: 'pat@example.com', name: 'Pat' });
  }, 60_000);
  afterAll(async () => close?.());

  it('purges expired immutable notes and appointments, skips restrict-referenced ones, keeps recent ones, and audits every delete', async () => {
    const oldVisit = await appointment();
    const oldNote = await note(oldVisit);
    const heldVisit = await appointment();
    const recentNote = await note(heldVisit);
    const recentVisit = await appointment();
    const amendedNote = await note(recentVisit);
    const addendum = await note(recentVisit, amendedNote);
    const olderNote = await note(recentVisit);
    const oldAddendum = await note(recentVisit, olderNote);
    for (const id of [oldNote, amendedNote, olderNote, oldAddendum]) await age(raw, 'VisitNote', id, 'createdAt', 3651);
    for (const id of [oldVisit, heldVisit]) await age(raw, 'Appointment', id, 'createdAt', 2191);

    const counts = await purgeExpired(storage, model);

    expect(counts.find((c) => c.entity === 'VisitNote')).toEqual({ entity: 'VisitNote', deleted: 3, skipped: 1, skippedBecause: ['VisitNote.amends'] });
    expect(counts.find((c) => c.entity === 'Appointment')).toEqual({ entity: 'Appointment', deleted: 1, skipped: 1, skippedBecause: ['VisitNote.appointment'] });
    expect(counts.map((c) => c.entity)).toEqual(['VisitNote', 'Prescription', 'Appointment', 'Patient']);
    // The old note and its appointment are gone; an expired note amended by a newer one stays, as does
    // an expired appointment a recent note still points at. Both expired notes of a chain go (two passes).
    for (const id of [oldNote, olderNote, oldAddendum]) expect(await exists('VisitNote', id)).toBe(false);
    expect(await exists('Appointment', oldVisit)).toBe(false);
    for (const id of [recentNote, amendedNote, addendum]) expect(await exists('VisitNote', id)).toBe(true);
    for (const id of [heldVisit, recentVisit]) expect(await exists('Appointment', id)).toBe(true);

    const audit = await raw.kysely.selectFrom(AUDIT_TABLE).selectAll().where('action', '=', 'delete').execute();
    expect(audit.map((r) => `${r.entity} ${r.recordId} ${r.actor}`).sort()).toEqual([
      `Appointment ${oldVisit} job:retention-purge`, `VisitNote ${oldAddendum} job:retention-purge`, `VisitNote ${oldNote} job:retention-purge`, `VisitNote ${olderNote} job:retention-purge`,
    ].sort());
  });

  it('skips a record that became referenced after the check (its batch rolls back and is redone one by one)', async () => {
    const visits = [await appointment(), await appointment(), await appointment()];
    for (const id of visits) await age(raw, 'Appointment', id, 'createdAt', 2500);
    let raced = false;
    // A note referencing the second appointment is written just as the purge's batch transaction starts.
    const racing: Storage = new Proxy(storage, {
      get(target, key) {
        if (key !== 'transaction') return Reflect.get(target, key);
        return async (fn: (tx: unknown) => Promise<unknown>) => {
          if (!raced) { raced = true; await note(visits[1]!); }
          return target.transaction(fn as never);
        };
      },
    });
    const counts = await purgeExpired(racing, model);
    expect(raced).toBe(true);
    // Skipped: the raced one and the appointment the first test's recent note still holds.
    expect(counts.find((c) => c.entity === 'Appointment')).toEqual({ entity: 'Appointment', deleted: 2, skipped: 2, skippedBecause: ['VisitNote.appointment'] });
    expect(await exists('Appointment', visits[0]!)).toBe(false);
    expect(await exists('Appointment', visits[1]!)).toBe(true);
    expect(await exists('Appointment', visits[2]!)).toBe(false);
  });

  it('runs as the job that called it when a retention context is active', async () => {
    const visit = await appointment();
    const expired = await note(visit);
    await age(raw, 'VisitNote', expired, 'createdAt', 4000);
    await runAs({ source: 'job', actor: 'job:nightly', purpose: 'retention' }, () => purgeExpired(storage, model));
    const rows = await raw.kysely.selectFrom(AUDIT_TABLE).selectAll().where('recordId', '=', expired).execute();
    expect(rows.map((r) => `${r.action} ${r.actor}`)).toEqual(['delete job:nightly']);
  });
});

describe.each(TEST_ENGINES)('purgeExpired on linkly and payments (%s)', (engine) => {
  const opened: (() => Promise<void>)[] = [];
  afterAll(async () => { for (const close of opened) await close(); });

  it('deletes visits older than 400 days and keeps the recent ones', async () => {
    const model = await exampleModel('linkly');
    const { storage, close } = await openTestStorage(model, engine);
    opened.push(close);
    const user = await storage.insert('User', { email: 'u@example.com' });
    const link = await storage.insert('Link', { target: 'https://example.com', owner: user.id });
    const visits = [];
    for (let i = 0; i < 5; i++) visits.push((await storage.insert('Visit', { link: link.code, at: new Date().toISOString() })).id as string);
    for (const id of visits.slice(0, 3)) await age(storage, 'Visit', id, 'createdAt', 401);
    await age(storage, 'Visit', visits[3], 'createdAt', 399);

    expect(await purgeExpired(audited(storage, model), model)).toEqual([{ entity: 'Visit', deleted: 3, skipped: 0, skippedBecause: [] }]);
    const left = await storage.list('Visit', { limit: 10 });
    expect(left.items.map((v) => v.id).sort()).toEqual(visits.slice(3).sort());
  });

  it('hard-deletes expired soft-deleted records too, and what cascades from them', async () => {
    const model = editedSpecModel('examples/linkly/archspec.yaml', (s) => { s.requirements.data.push({ rule: 'retention', entity: 'Link', keep: '30d' }); }, 'linkly spec');
    const { storage, close } = await openTestStorage(model, engine);
    opened.push(close);
    const user = await storage.insert('User', { email: 'u@example.com' });
    const live = await storage.insert('Link', { target: 'https://example.com/live', owner: user.id });
    const removed = await storage.insert('Link', { target: 'https://example.com/removed', owner: user.id });
    const recent = await storage.insert('Link', { target: 'https://example.com/recent', owner: user.id });
    const visit = await storage.insert('Visit', { link: removed.code, at: new Date().toISOString() });
    await storage.delete('Link', removed.code as string);
    for (const link of [live, removed]) await age(storage, 'Link', link.code, 'createdAt', 31, 'code');

    const counts = await purgeExpired(audited(storage, model), model);
    expect(counts.find((c) => c.entity === 'Link')).toMatchObject({ deleted: 2, skipped: 0 });
    expect(await storage.get('Link', live.code as string, { includeDeleted: true })).toBeUndefined();
    expect(await storage.get('Link', removed.code as string, { includeDeleted: true })).toBeUndefined();
    expect(await storage.get('Link', recent.code as string)).toBeDefined();
    expect(await storage.get('Visit', visit.id as string)).toBeUndefined();
    const audit = await storage.kysely.selectFrom(AUDIT_TABLE).select(['entity', 'recordId']).where('action', '=', 'delete').execute();
    expect(audit.map((r) => r.recordId).sort()).toEqual([live.code, removed.code].sort());
  });

  it('ages ledger entries, which have no timestamps, by postedAt', async () => {
    const model = await exampleModel('payments');
    const { storage, close } = await openTestStorage(model, engine);
    opened.push(close);
    const entry = (postedAt: string) => storage.insert('LedgerEntry', { journal: randomUUID(), account: 'sales-revenue', direction: 'credit', amount: '10.00', currency: 'EUR', postedAt });
    const old = await entry(new Date(Date.now() - 2556 * DAY).toISOString());
    const recent = await entry(new Date(Date.now() - 2554 * DAY).toISOString());
    const counts = await purgeExpired(audited(storage, model), model);
    expect(counts.find((c) => c.entity === 'LedgerEntry')).toEqual({ entity: 'LedgerEntry', deleted: 1, skipped: 0, skippedBecause: [] });
    expect(await storage.get('LedgerEntry', old.id as number)).toBeUndefined();
    expect(await storage.get('LedgerEntry', recent.id as number)).toBeDefined();
  });
});
