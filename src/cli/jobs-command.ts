import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Cron } from 'croner';
import type { FastifyInstance } from 'fastify';
import type { Storage } from '../adapters/storage/storage.ts';
import type { SystemModel } from '../model/system-model.ts';
import { AuthConfigError, createAuth } from '../runtime/auth/create-auth.ts';
import { ConfigError } from '../runtime/config-error.ts';
import { HandlerLoadError } from '../runtime/handlers/load-handlers.ts';
import { hasRetentionRules, jobPlan, RETENTION_PURGE } from '../runtime/jobs/job-definitions.ts';
import type { JobOutcome } from '../runtime/jobs/job-scheduler.ts';
import { JobRuns, type JobRunRecord } from '../runtime/jobs/job-runs.ts';
import { buildServer } from '../runtime/server.ts';
import { loadModel, printDiagnostics } from './load-model.ts';
import { openStorage, openStorageWithKeys, unreachable } from './open-storage.ts';
import { CliError } from './run-command.ts';

/**
 * `archspec jobs list <spec>`: one line per job of the spec (and the built-in `retention-purge`):
 * schedule, time zone, next run in that zone, what runs it, and the last run from the history in
 * the database. Exit 0; 1 when the spec has errors; 2 when the database cannot be reached.
 */
export async function jobsListCommand(specFile: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const model = await modelOf(specFile);
  if (!model) return 1;
  const plan = jobPlan(model);
  const { storage, config } = await openStorage(model, specFile, env);
  try {
    const last = await lastRuns(storage, [...plan.runnable, ...plan.documented].map((job) => job.name)).catch((e: unknown) => {
      if (unreachable(e, config) !== e) throw unreachable(e, config);
      return undefined;
    });
    const now = new Date();
    const rows = [
      ...plan.runnable.map((job) => [
        job.name, job.schedule, job.timezone, formatInZone(new Cron(job.schedule, { timezone: job.timezone, paused: true }).nextRun(now), job.timezone),
        job.handler ?? 'built-in (retention rules)', describeRun(last?.get(job.name)),
      ]),
      ...plan.documented.map((job) => [job.name, job.schedule, job.timezone, '-', 'no handler (documents work done elsewhere)', describeRun(last?.get(job.name))]),
    ];
    if (!rows.length) {
      process.stdout.write('This spec has no jobs (and no retention rules).\n');
      return 0;
    }
    process.stdout.write(table(['JOB', 'SCHEDULE', 'TIME ZONE', 'NEXT RUN (JOB\'S ZONE)', 'RUN BY', 'LAST RUN'], rows));
    if (!last) process.stdout.write('(no run history: the database is not migrated yet; `archspec migrate` or `archspec serve` creates it)\n');
    return 0;
  } finally {
    await storage.close();
  }
}

/**
 * `archspec jobs run <spec> <name>`: runs one job now, the way `archspec serve` would (same data
 * policies, outbox and integrations; it builds the server without listening), holding the job's
 * lease and recording the run in the history with trigger `manual`. Exit 0 when it succeeded, 1
 * when it failed or timed out (after its retries) or the spec has errors, 2 when it cannot run:
 * unknown job, a job without handler, another instance holding the lease, an unmigrated or
 * unreachable database, a broken handler module.
 */
export async function jobsRunCommand(specFile: string, name: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const model = await modelOf(specFile);
  if (!model) return 1;
  refuseUnrunnable(model, name, specFile);
  // The job's handler reads and writes records like the server does: encrypted fields need the key.
  const { storage, config } = await openStorageWithKeys(model, specFile, env);
  let app: FastifyInstance | undefined;
  try {
    const migrated = await storage.isMigrated().catch((e: unknown) => { throw unreachable(e, config); });
    if (!migrated) throw new CliError('the database does not match the spec (not migrated)', `run \`archspec migrate ${specFile}\` first`);
    app = await serverOf(model, storage, specFile, env);
    const outcome = await app.archspecJobs.run(name);
    return report(outcome);
  } finally {
    await app?.close();
    await storage.close();
  }
}

async function modelOf(specFile: string): Promise<SystemModel | undefined> {
  const { model, diagnostics } = await loadModel(specFile);
  printDiagnostics(diagnostics.filter((d) => d.severity === 'error'), 'text');
  return model;
}

function refuseUnrunnable(model: SystemModel, name: string, specFile: string): void {
  const plan = jobPlan(model);
  if (plan.runnable.some((job) => job.name === name)) return;
  if (plan.documented.some((job) => job.name === name)) {
    const hint = hasRetentionRules(model)
      ? `the spec's retention rules are applied by the built-in job ${RETENTION_PURGE}: archspec jobs run ${specFile} ${RETENTION_PURGE}`
      : `give it \`handler: ./handlers/${name}.ts\` to have archspec run it`;
    throw new CliError(`${name} has no handler (it documents work done elsewhere), so archspec does not run it`, hint);
  }
  const known = plan.runnable.map((job) => job.name);
  throw new CliError(`the spec has no job named "${name}"`, known.length ? `runnable jobs: ${known.join(', ')}` : 'the spec has no runnable jobs');
}

async function serverOf(model: SystemModel, storage: Storage, specFile: string, env: NodeJS.ProcessEnv): Promise<FastifyInstance> {
  // Nothing is served, so no token is ever signed: a throwaway secret satisfies the auth set-up.
  const given = env.ARCHSPEC_JWT_SECRET ?? '';
  const jwtSecret = Buffer.byteLength(given) >= 32 ? given : randomBytes(48).toString('base64');
  try {
    const auth = createAuth(model, storage, { jwtSecret });
    return await buildServer(model, {
      storage, auth, env, specDir: dirname(resolve(specFile)),
      logging: { level: env.LOG_LEVEL ?? 'warn', destination: process.stderr },
      jobs: { schedule: false, instanceId: `cli:${hostname()}:${process.pid}` },
    });
  } catch (e) {
    if (e instanceof HandlerLoadError) throw new CliError(e.message, `fix or create ${e.file} (paths are relative to the spec)`);
    if (e instanceof ConfigError || e instanceof AuthConfigError) throw new CliError(e.message, 'jobs run needs the environment `archspec serve` gets');
    throw e;
  }
}

function report(outcome: JobOutcome): number {
  if (outcome.status === 'skipped') {
    const why = outcome.reason === 'lease-held' ? `another instance (${outcome.holder}) is running it; its lease lasts until ${outcome.leaseUntil}` : `it was not started (${outcome.reason})`;
    throw new CliError(`${outcome.job} was not run: ${why}`, 'wait for that run to finish (`archspec jobs list` shows the last run), then try again');
  }
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const attempts = `${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}`;
  if (outcome.status === 'succeeded') {
    process.stdout.write(`${outcome.job} succeeded in ${seconds} s (${attempts}, run ${outcome.runId})\n`);
    if (outcome.result !== undefined) process.stdout.write(`result: ${JSON.stringify(outcome.result)}\n`);
    return 0;
  }
  process.stdout.write(`${outcome.job} ${outcome.status} after ${attempts} in ${seconds} s (run ${outcome.runId}): ${outcome.error}\n`);
  return 1;
}

async function lastRuns(storage: Storage, jobs: string[]): Promise<Map<string, JobRunRecord>> {
  const runs = new JobRuns(storage.kysely);
  const last = new Map<string, JobRunRecord>();
  for (const job of jobs) {
    const [run] = await runs.latest(job);
    if (run) last.set(job, run);
  }
  return last;
}

function describeRun(run: JobRunRecord | undefined): string {
  if (!run) return 'never';
  const when = `${run.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  return `${run.status} ${when}${run.trigger === 'manual' ? ' (manual)' : ''}${run.attempt > 1 ? ` (attempt ${run.attempt})` : ''}`;
}

/** `2025-03-09 23:15 EDT`: a time as the job's zone shows it. */
export function formatInZone(date: Date | null, timeZone: string): string {
  if (!date) return 'never';
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
