import { afterAll, describe, expect, it } from 'vitest';
import type { Row, Storage } from '../../../adapters/storage/storage.ts';
import { editedSpecModel } from '../../../model/test-support/edited-spec.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { exampleModel } from '../../test-support/example-models.ts';
import { openTestStorage, TEST_ENGINES } from '../../test-support/test-storage.ts';
import { audited } from '../audit/audited-storage.ts';
import { eraseSubject } from './erase-subject.ts';
import { exportSubject } from './export-subject.ts';

/**
 * Erasure on a real database of each engine, through the audited storage (so the immutable guard
 * is on: erasure must never need to change or delete an immutable record).
 */

describe.each(TEST_ENGINES)('eraseSubject (%s)', (engine) => {
  const opened: (() => Promise<void>)[] = [];
  afterAll(async () => { for (const close of opened) await close(); });
  const open = async (model: SystemModel): Promise<{ raw: Storage; storage: Storage }> => {
    const { storage, close } = await openTestStorage(model, engine);
    opened.push(close);
    return { raw: storage, storage: audited(storage, model) };
  };

  it('telehealth patient: clinical records stay with their regulated content, contact data goes, signed notes are untouched', async () => {
    const model = await exampleModel('telehealth');
    const { raw, storage } = await open(model);
    const doctor = await raw.insert('User', { email: 'doc@example.com', name: 'Doc', role: 'clinician' });
    const clinician = await raw.insert('Clinician', { user: doctor.id, specialty: 'general-practice', licenseNumber: 'L-1', licenseCountry: 'DE', workingHours: {} });
    const pat = await raw.insert('User', { email: 'pat@example.com', name: 'Pat', phone: '+491701234567' });
    const profile = await raw.insert('Patient', {
      user: pat.id, dateOfBirth: '1980-02-03', sexAtBirth: 'female', address: '1 Main St', insuranceMemberId: 'INS-1', emergencyContact: 'Sam', telehealthConsentAt: new Date().toISOString(),
    });
    const visit = await raw.insert('Appointment', { patient: pat.id, clinician: clinician.id, startsAt: '2024-01-01T09:00:00.000Z', endsAt: '2024-01-01T09:20:00.000Z', reason: 'rash' });
    const note = await raw.insert('VisitNote', { appointment: visit.id, patient: pat.id, author: clinician.id, subjective: 'itchy', assessment: 'eczema', plan: 'cream' });
    const rx = await raw.insert('Prescription', { appointment: visit.id, patient: pat.id, prescriber: clinician.id, medication: 'cream', dosage: 'twice daily', quantity: 1, pharmacy: 'PH-1' });

    const summary = await eraseSubject(storage, model, 'User', pat.id as string);
    expect(summary).toMatchObject({
      subjectRecord: 'anonymized',
      entities: {
        User: { kept: 1, anonymized: 1, keptBecause: [expect.stringMatching(/^(Patient|Appointment|VisitNote|Prescription)\.\w+|records that stay/)] },
        Patient: { kept: 1, anonymized: 1, keptBecause: ['retention: Patient records are kept 3650d (GDPR Art. 17(3))'] },
        Appointment: { kept: 1, anonymized: 0 },
        VisitNote: { kept: 1, anonymized: 0 },
        Prescription: { kept: 1, anonymized: 0 },
      },
    });
    expect(await raw.get('User', pat.id as string)).toMatchObject({ email: `erased-${pat.id}@invalid.example`, name: 'erased', phone: null });
    // pii only (contact data) is cleared; pii + sensitive (health, insurance) is the record the law keeps.
    expect(await raw.get('Patient', profile.id as string)).toMatchObject({ address: null, emergencyContact: null, dateOfBirth: '1980-02-03', sexAtBirth: 'female', insuranceMemberId: 'INS-1' });
    expect(await raw.get('Appointment', visit.id as string)).toMatchObject({ reason: 'rash' });
    expect(await raw.get('VisitNote', note.id as string)).toMatchObject({ subjective: 'itchy', version: 1 });
    expect(await raw.get('Prescription', rx.id as string)).toMatchObject({ medication: 'cream' });
    expect(await raw.system.getPasswordHash(pat.id as string)).toBeUndefined();

    // A second erasure finds nothing left to change.
    const again = await eraseSubject(storage, model, 'User', pat.id as string);
    expect(Object.values(again!.entities).map((e) => e.anonymized)).toEqual([0, 0, 0, 0, 0]);
  });

  it('telehealth clinician: the profile other patients\' appointments point at stays (restrict), the account is anonymized', async () => {
    const model = await exampleModel('telehealth');
    const { raw, storage } = await open(model);
    const doctor = await raw.insert('User', { email: 'doc@example.com', name: 'Doc', role: 'clinician' });
    const clinician = await raw.insert('Clinician', { user: doctor.id, specialty: 'dermatology', licenseNumber: 'L-2', licenseCountry: 'DE', workingHours: {} });
    const pat = await raw.insert('User', { email: 'pat@example.com', name: 'Pat' });
    await raw.insert('Appointment', { patient: pat.id, clinician: clinician.id, startsAt: '2024-01-01T09:00:00.000Z', endsAt: '2024-01-01T09:20:00.000Z' });

    const summary = await eraseSubject(storage, model, 'User', doctor.id as string);
    expect(summary?.entities.Clinician).toEqual({ deleted: 0, kept: 1, anonymized: 0, keptBecause: ['Appointment records that stay reference it (Appointment.clinician, onDelete restrict)'] });
    expect(summary?.entities.User).toMatchObject({ kept: 1, anonymized: 1, keptBecause: ['Clinician records that stay reference it (Clinician.user, onDelete restrict)'] });
    expect(await raw.get('User', pat.id as string)).toMatchObject({ email: 'pat@example.com' });
  });

  it("deletes others' records a cascade takes along, but keeps the subject's record an immutable one points at with set-null", async () => {
    const model = editedSpecModel('examples/linkly/archspec.yaml', (s) => {
      s.data.Bookmark = { owner: 'holder', fields: { holder: { ref: 'User', onDelete: 'cascade' }, link: { ref: 'Link', onDelete: 'cascade' } } };
      s.data.Mention = { fields: { link: { ref: 'Link', required: false, onDelete: 'set-null' }, text: 'string' } };
      s.architecture.storage.primary.holds.push('Bookmark', 'Mention');
      s.requirements.data.push({ rule: 'immutable', entities: ['Mention'] });
    }, 'linkly spec');
    const { raw, storage } = await open(model);
    const alice = await raw.insert('User', { email: 'alice@example.com', name: 'Alice' });
    const bob = await raw.insert('User', { email: 'bob@example.com' });
    const bookmarked = await raw.insert('Link', { target: 'https://example.com/1', owner: alice.id });
    const mentioned = await raw.insert('Link', { target: 'https://example.com/2', owner: alice.id });
    const bobsBookmark = await raw.insert('Bookmark', { holder: bob.id, link: bookmarked.code });
    const mention = await raw.insert('Mention', { link: mentioned.code, text: 'see this' });

    const summary = await eraseSubject(storage, model, 'User', alice.id as string);
    expect(summary?.entities.Link).toMatchObject({ deleted: 1, kept: 1, keptBecause: [expect.stringContaining('Mention.link, onDelete set-null')] });
    expect(summary?.entities.Bookmark).toMatchObject({ deleted: 1 });
    expect(summary?.notes).toEqual([expect.stringContaining('1 record(s) of others were deleted')]);
    expect(await raw.get('Bookmark', bobsBookmark.id as string)).toBeUndefined();
    expect(await raw.get('Mention', mention.id as string)).toMatchObject({ link: mentioned.code, version: 1 });
    expect(summary?.subjectRecord).toBe('anonymized');
  });

  it("payments staff: refunds they issued are exported as references and keep the account (Refund.issuedBy, restrict)", async () => {
    const model = await exampleModel('payments');
    const { raw, storage } = await open(model);
    const shopper = await raw.insert('User', { email: 'shop@example.com', name: 'Shopper' });
    const agent = await raw.insert('User', { email: 'agent@example.com', name: 'Agent', role: 'support' });
    const order = await raw.insert('Order', { customer: shopper.id, currency: 'EUR', total: '5.00', shippingAddress: 'Somewhere 1' });
    const payment = await raw.insert('Payment', { order: order.id, customer: shopper.id, amount: '5.00', currency: 'EUR', processorToken: 'tok' });
    const refund = await raw.insert('Refund', { payment: payment.id, customer: shopper.id, issuedBy: agent.id, amount: '5.00', currency: 'EUR', reason: 'damaged' });

    const data = await exportSubject(raw, model, 'User', agent.id as string);
    expect(data?.records).toEqual({ User: [expect.objectContaining({ email: 'agent@example.com' })] });
    expect(data?.referencing).toEqual({ Refund: [expect.objectContaining({ id: refund.id, issuedBy: agent.id, amount: '5.00' })] });
    expect(JSON.stringify(data)).not.toContain('Somewhere');

    const summary = await eraseSubject(storage, model, 'User', agent.id as string);
    expect(summary).toMatchObject({ subjectRecord: 'anonymized', entities: { User: { keptBecause: ['Refund records that stay reference it (Refund.issuedBy, onDelete restrict)'] } } });
    expect(await raw.get('Refund', refund.id as string)).toMatchObject({ issuedBy: agent.id });
    expect(await raw.get('User', shopper.id as string)).toMatchObject({ email: 'shop@example.com' });
  });

  it('exports at most limitPerEntity records per entity and names the entities it cut', async () => {
    const model = await exampleModel('linkly');
    const { raw } = await open(model);
    const user = await raw.insert('User', { email: 'many@example.com' });
    const links: Row[] = [];
    for (let i = 0; i < 4; i++) links.push(await raw.insert('Link', { target: `https://example.com/${i}`, owner: user.id }));
    for (const link of links) await raw.insert('Visit', { link: link.code, at: new Date().toISOString() });
    const data = await exportSubject(raw, model, 'User', user.id as string, { limitPerEntity: 3 });
    expect(data?.records.Link).toHaveLength(3);
    expect(data?.records.Visit).toHaveLength(3);
    expect(data?.truncated.sort()).toEqual(['Link', 'Visit']);
    const full = await exportSubject(raw, model, 'User', user.id as string);
    expect([full?.records.Link?.length, full?.records.Visit?.length, full?.truncated]).toEqual([4, 4, []]);
  });
});
