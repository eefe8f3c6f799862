import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsRunCommand } from '../../src/cli/jobs-command.ts';
import { CliError } from '../../src/cli/run-command.ts';
import { outboxRows } from './outbox-rows.ts';
import { ENGINES, FIELD_KEY, serve, type Served } from './serve-harness.ts';

// The real CLI on the database of a served example: `archspec jobs run` runs the telehealth
// send-reminders handler as the server would (history with trigger manual, events in the outbox),
// `archspec jobs list` shows the run; a failing job exits 1, a held lease exits 2.
const BIN = join(process.cwd(), 'bin', 'archspec.js');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The telehealth example with one more job whose handler always throws. */
function exampleCopy(dir: string): string {
  cpSync('examples/telehealth', dir, { recursive: true, filter: (source) => !source.endsWith('.data') });
  const spec = join(dir, 'archspec.yaml');
  const failing = ['jobs:', '  always-fails:', '    schedule: "0 4 * * *"', '    timezone: UTC', '    does: fail on purpose', '    handler: ./handlers/always-fails.ts', '    component: scheduling', '    retry: 1', ''].join('\n');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^jobs:\n/m, failing));
  writeFileSync(join(dir, 'handlers', 'always-fails.ts'), "export default async function alwaysFails() {\n  throw new Error('the processor said no');\n}\n");
  return spec;
}

describe.each(ENGINES)('archspec jobs (CLI) on %s', (engine) => {
  let served: Served;
  let dir: string;
  let spec: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    served = await serve('telehealth', engine, { events: { dispatch: false } });
    served.app.archspecJobs.pause();
    dir = mkdtempSync(join(tmpdir(), 'archspec-jobs-cli-'));
    spec = exampleCopy(dir);
    env = { DATABASE_URL: served.databaseUrl, ARCHSPEC_DATA_DIR: join(dir, 'data'), CAREBRIDGE_PHI_KEY: FIELD_KEY, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => {
    await served?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('jobs run runs send-reminders for real and records it; jobs list shows the run', async () => {
    const patient = await served.account('cli-patient@example.com', { fields: { name: 'Pat' } });
    const doctor = await served.account('cli-doctor@example.com', { role: 'clinician', fields: { name: 'Dr' } });
    const clinician = await served.storage.insert('Clinician', { user: doctor.id, specialty: 'dermatology', licenseNumber: 'CLI-1', licenseCountry: 'DE', workingHours: {} });
    const startsAt = new Date(Date.now() + 3_600_000);
    const appointment = await served.storage.insert('Appointment', {
      patient: patient.id, clinician: clinician.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString(),
    });

    const run = await cli(['jobs', 'run', spec, 'send-reminders'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const runId = /^send-reminders succeeded in \d+\.\d s \(1 attempt, run ([0-9a-f-]{36})\)$/m.exec(run.stdout)?.[1];
    expect(runId, run.stdout).toBeDefined();
    expect(run.stdout).toContain('result: {"reminded":1}');

    expect((await served.storage.get('Appointment', appointment.id as string))?.reminderSentAt).toEqual(expect.any(String));
    const events = (await outboxRows(served.storage)).filter((row) => row.name === 'appointment.reminder-due');
    expect(events).toEqual([expect.objectContaining({ requestId: runId, payload: expect.objectContaining({ appointment: appointment.id }) })]);
    const [history] = await served.app.archspecJobs.runs.latest('send-reminders');
    expect(history).toMatchObject({ id: runId, trigger: 'manual', status: 'succeeded', result: '{"reminded":1}' });
    expect(history!.instance).toMatch(/^cli:/);

    const list = await cli(['jobs', 'list', spec], env);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^JOB\s+SCHEDULE\s+TIME ZONE\s+NEXT RUN \(JOB'S ZONE\)\s+RUN BY\s+LAST RUN$/);
    const line = (job: string) => lines.find((l) => l.startsWith(`${job} `)) ?? '';
    expect(line('send-reminders')).toMatch(/\*\/5 \* \* \* \*\s+UTC\s+\d{4}-\d\d-\d\d \d\d:\d[05] UTC\s+\.\/handlers\/send-reminders\.ts\s+succeeded \d{4}-\d\d-\d\d \d\d:\d\d UTC \(manual\)$/);
    expect(line('expire-appointments')).toMatch(/15 2 \* \* \*\s+Europe\/Berlin\s+\d{4}-\d\d-\d\d 02:15 GMT\+[12]\s+\.\/handlers\/expire-appointments\.ts\s+never$/);
    expect(line('retention-purge')).toMatch(/17 \* \* \* \*\s+UTC\s+.*built-in \(retention rules\)\s+never$/);
  }, 60_000);

  it.runIf(engine === 'sqlite')('jobs run exits 1 when the job fails after its retries and 2 while another instance holds the lease', async () => {
    const failed = await cli(['jobs', 'run', spec, 'always-fails'], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^always-fails failed after 2 attempts in \d+\.\d s \(run [0-9a-f-]{36}\): the processor said no$/m);
    expect((await served.app.archspecJobs.runs.latest('always-fails', 5)).map((r) => [r.attempt, r.status, r.error])).toEqual([
      [2, 'failed', 'the processor said no'], [1, 'failed', 'the processor said no'],
    ]);

    const until = new Date(Date.now() + 600_000).toISOString();
    await served.storage.kysely.insertInto('_archspec_job_leases')
      .values({ job: 'expire-appointments', holder: 'web-7', token: 'x', leaseUntil: until, acquiredAt: new Date().toISOString(), lastScheduledFor: null }).execute();
    const refused = await cli(['jobs', 'run', spec, 'expire-appointments'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`archspec: expire-appointments was not run: another instance (web-7) is running it; its lease lasts until ${until}`);
    expect(await served.app.archspecJobs.runs.latest('expire-appointments')).toEqual([]);
  }, 60_000);
});

describe('archspec jobs run: jobs it does not run', () => {
  it('a spec job without handler: explains, and points at retention-purge when the spec has retention rules', async () => {
    const refusal = jobsRunCommand('examples/linkly/archspec.yaml', 'purge-visits');
    await expect(refusal).rejects.toBeInstanceOf(CliError);
    await expect(refusal).rejects.toThrow('purge-visits has no handler (it documents work done elsewhere), so archspec does not run it');
    await expect(refusal).rejects.toMatchObject({ hint: expect.stringContaining('archspec jobs run examples/linkly/archspec.yaml retention-purge') });
  });

  it('an unknown job: names the runnable ones', async () => {
    await expect(jobsRunCommand('examples/payments/archspec.yaml', 'nope')).rejects.toMatchObject({
      message: 'the spec has no job named "nope"', hint: 'runnable jobs: settle-daily, reconcile-ledger, resolve-pending-payments, retention-purge',
    });
  });
});
