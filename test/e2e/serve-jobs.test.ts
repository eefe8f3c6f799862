import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxRows } from './outbox-rows.ts';
import { ENGINES, serve, type Served } from './serve-harness.ts';

// Scheduled jobs in a served example: the telehealth `send-reminders` handler runs as the server
// would run it (same storage with data policies, the outbox emitter, job:<name> as the actor), its
// history and metrics show it, and a second firing of the same occurrence does nothing.

const OCCURRENCE = new Date('2030-01-01T09:05:00.000Z');

describe.each(ENGINES)('scheduled jobs in a served example on %s', (engine) => {
  let served: Served;
  beforeAll(async () => {
    served = await serve('telehealth', engine, { events: { dispatch: false } });
    // Occurrences are fired by the tests, not by the clock.
    served.app.archspecJobs.pause();
  });
  afterAll(async () => served?.close());

  async function bookedAppointment(startsInMs: number): Promise<{ id: string; patientToken: string }> {
    const patient = await served.account(`patient-${startsInMs}@example.com`, { fields: { name: 'Pat' } });
    const doctor = await served.account(`doctor-${startsInMs}@example.com`, { role: 'clinician', fields: { name: 'Dr Who' } });
    const clinician = await served.storage.insert('Clinician', {
      user: doctor.id, specialty: 'general-practice', licenseNumber: `LIC-${startsInMs}`, licenseCountry: 'DE', workingHours: {},
    });
    const startsAt = new Date(Date.now() + startsInMs);
    const appointment = await served.storage.insert('Appointment', {
      patient: patient.id, clinician: clinician.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString(),
    });
    return { id: String(appointment.id), patientToken: patient.token };
  }

  it('runs send-reminders once per occurrence: records updated, events in the outbox, history, audit and metrics', async () => {
    const soon = await bookedAppointment(2 * 3_600_000);
    const later = await bookedAppointment(3 * 86_400_000);

    const outcome = await served.app.archspecJobs.fire('send-reminders', OCCURRENCE);
    expect(outcome).toMatchObject({ status: 'succeeded', attempts: 1, result: { reminded: 1 } });
    const runId = (outcome as { runId: string }).runId;

    const seen = await served.call('GET', `/appointments/${soon.id}`, { token: soon.patientToken });
    expect(seen.status).toBe(200);
    expect(seen.body.reminderSentAt).toEqual(expect.any(String));
    expect((await served.call('GET', `/appointments/${later.id}`, { token: later.patientToken })).body.reminderSentAt ?? null).toBeNull();

    const events = (await outboxRows(served.storage)).filter((row) => row.name === 'appointment.reminder-due');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ requestId: runId, payload: { appointment: soon.id } });

    const audit = await served.storage.kysely.selectFrom('_archspec_audit').selectAll().where('entity', '=', 'Appointment').where('recordId', '=', soon.id).where('action', '=', 'update').execute();
    expect(audit.map((row) => [row.actor, row.requestId])).toEqual([['job:send-reminders', runId]]);

    const history = await served.storage.kysely.selectFrom('_archspec_job_runs').selectAll().where('job', '=', 'send-reminders').execute();
    expect(history).toEqual([expect.objectContaining({ id: runId, trigger: 'schedule', status: 'succeeded', scheduledFor: OCCURRENCE.toISOString(), result: '{"reminded":1}' })]);

    // The same occurrence fired again (a second instance's timer, late): not run again.
    expect(await served.app.archspecJobs.fire('send-reminders', OCCURRENCE)).toMatchObject({ status: 'skipped', reason: 'already-ran' });
    expect((await outboxRows(served.storage)).filter((row) => row.name === 'appointment.reminder-due')).toHaveLength(1);

    const metrics = await served.call('GET', '/metrics', { root: true });
    expect(metrics.body).toContain('archspec_job_runs_total{job="send-reminders",status="succeeded"} 1');
    expect(metrics.body).toContain('archspec_job_runs_total{job="expire-appointments",status="failed"} 0');
    expect(metrics.body).toContain('archspec_job_duration_seconds_count{job="send-reminders"} 1');
    expect(metrics.body).toMatch(/archspec_job_last_success_timestamp_seconds\{job="send-reminders"\} \d+/);
  });

  it('runs the built-in retention-purge, deleting what the retention rules let go, as job:retention-purge', async () => {
    const expired = await bookedAppointment(-7 * 365 * 86_400_000);
    const kept = await bookedAppointment(-86_400_000);
    const sevenYearsAgo = new Date(Date.now() - 7 * 365 * 86_400_000).toISOString();
    await served.storage.kysely.updateTable('Appointment').set({ createdAt: sevenYearsAgo }).where('id', '=', expired.id).execute();

    const outcome = await served.app.archspecJobs.fire('retention-purge', new Date('2030-01-01T09:17:00.000Z'));
    expect(outcome).toMatchObject({ status: 'succeeded' });
    expect((outcome as { result: unknown }).result).toContainEqual(expect.objectContaining({ entity: 'Appointment', deleted: 1 }));
    expect(await served.storage.get('Appointment', expired.id)).toBeUndefined();
    expect(await served.storage.get('Appointment', kept.id)).toBeDefined();
    const audit = await served.storage.kysely.selectFrom('_archspec_audit').selectAll().where('entity', '=', 'Appointment').where('recordId', '=', expired.id).where('action', '=', 'delete').execute();
    expect(audit.map((row) => [row.actor, row.requestId])).toEqual([['job:retention-purge', (outcome as { runId: string }).runId]]);
  });

  it('runs a job now with its lease (manual trigger), and refuses while another instance holds it', async () => {
    const jobs = served.app.archspecJobs;
    expect(await jobs.run('expire-appointments')).toMatchObject({ status: 'succeeded', result: { deleted: expect.any(Number) } });
    const [last] = await jobs.runs.latest('expire-appointments');
    expect(last).toMatchObject({ trigger: 'manual', status: 'succeeded', instance: jobs.instanceId });

    const until = new Date(Date.now() + 60_000).toISOString();
    await served.storage.kysely.updateTable('_archspec_job_leases').set({ holder: 'other-instance', token: 'other', leaseUntil: until }).where('job', '=', 'expire-appointments').execute();
    expect(await jobs.run('expire-appointments')).toEqual({ status: 'skipped', job: 'expire-appointments', reason: 'lease-held', holder: 'other-instance', leaseUntil: until });
  });
});
