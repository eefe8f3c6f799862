import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleModel } from '../test-support/example-models.ts';
import { HandlerLoadError } from '../handlers/load-handlers.ts';
import { jobPlan, loadJobs, RETENTION_PURGE } from './job-definitions.ts';

describe('job plan', () => {
  it('runs spec jobs with a handler, documents the others, and adds retention-purge for retention rules', async () => {
    const linkly = jobPlan(await exampleModel('linkly'));
    expect(linkly.runnable.map((j) => [j.name, j.schedule, j.timezone, j.builtIn, j.purpose])).toEqual([[RETENTION_PURGE, '17 * * * *', 'UTC', true, 'retention']]);
    expect(linkly.documented.map((j) => j.name)).toEqual(['purge-visits']);

    const payments = jobPlan(await exampleModel('payments'));
    expect(payments.runnable.map((j) => j.name)).toEqual(['settle-daily', 'reconcile-ledger', 'resolve-pending-payments', RETENTION_PURGE]);
    expect(payments.runnable[0]).toMatchObject({ handler: './handlers/run-settlement.ts', timezone: 'America/New_York', timeoutMs: 30 * 60_000, retries: 3, builtIn: false });
    expect(payments.documented).toEqual([]);
  });
});

describe('loading job handlers', () => {
  let dir: string | undefined;
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('fails on a missing module, naming it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-jobs-'));
    const load = loadJobs(await exampleModel('telehealth'), dir);
    await expect(load).rejects.toBeInstanceOf(HandlerLoadError);
    await expect(load).rejects.toThrow('cannot load handler ./handlers/send-reminders.ts');
  });

  it('fails on a module whose default export is not a function', async () => {
    dir = mkdtempSync(join(tmpdir(), 'archspec-jobs-'));
    mkdirSync(join(dir, 'handlers'));
    writeFileSync(join(dir, 'handlers', 'send-reminders.ts'), 'export const notAHandler = 1;\n');
    await expect(loadJobs(await exampleModel('telehealth'), dir)).rejects.toThrow(/send-reminders\.ts: its default export is not a function/);
  });

  it('loads the example handlers', async () => {
    const jobs = await loadJobs(await exampleModel('telehealth'), 'examples/telehealth');
    expect(jobs.map((j) => j.name)).toEqual(['send-reminders', 'expire-appointments', 'expire-clinical-records', RETENTION_PURGE]);
    for (const job of jobs) expect(typeof job.run).toBe('function');
  });
});
