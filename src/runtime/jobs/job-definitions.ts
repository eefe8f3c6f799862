import type { Job, SystemModel } from '../../model/system-model.ts';
import type { JobContext, JobHandler } from '../handlers/handler-context.ts';
import { loadHandler } from '../handlers/load-handlers.ts';
import type { WorkServices } from '../handlers/work-context.ts';
import type { PurgeCount } from '../data/retention.ts';

/** The built-in job that applies the spec's `retention` data rules. */
export const RETENTION_PURGE = 'retention-purge';
/** A run's time limit when the spec's job states no `timeout`. */
export const DEFAULT_JOB_TIMEOUT_MS = 5 * 60_000;

/** A job `archspec serve` runs: a spec job with a `handler`, or a built-in one. */
export interface JobDefinition {
  name: string;
  /** 5-field cron expression, read in `timezone`. */
  schedule: string;
  /** IANA time zone of the schedule. */
  timezone: string;
  does: string;
  timeoutMs: number;
  retries: number;
  /** The handler module as the spec names it (relative to the spec); undefined for built-in jobs. */
  handler?: string;
  builtIn: boolean;
  /** Marks the run's work for the data policies (see request-context `purpose`). */
  purpose?: 'retention';
}

/** A {@link JobDefinition} with its code loaded. */
export interface RunnableJob extends JobDefinition {
  run(ctx: JobContext, services: WorkServices): unknown;
}

/** What the spec's jobs amount to at run time. */
export interface JobPlan {
  /** Jobs with code: spec jobs with a handler, then the built-in ones. */
  runnable: JobDefinition[];
  /** Spec jobs without a handler: they document work done elsewhere and are never run by archspec. */
  documented: Job[];
}

/** Whether the spec has retention rules (and so the built-in {@link RETENTION_PURGE} job). */
export function hasRetentionRules(model: SystemModel): boolean {
  return model.requirements.data.some((rule) => rule.rule === 'retention');
}

/**
 * Sorts the spec's jobs into runnable and documented ones and adds the built-in
 * {@link RETENTION_PURGE} (hourly at minute 17 UTC, deleting records past their retention period)
 * when the spec has `retention` rules and no job of that name of its own.
 */
export function jobPlan(model: SystemModel): JobPlan {
  const runnable: JobDefinition[] = [];
  const documented: Job[] = [];
  for (const job of model.jobs) {
    if (!job.handler) {
      documented.push(job);
      continue;
    }
    runnable.push({
      name: job.name, schedule: job.schedule, timezone: job.timezone, does: job.does, handler: job.handler, builtIn: false,
      timeoutMs: job.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, retries: job.retries,
    });
  }
  if (hasRetentionRules(model) && !model.jobs.some((job) => job.name === RETENTION_PURGE)) {
    runnable.push({
      name: RETENTION_PURGE, schedule: '17 * * * *', timezone: 'UTC', builtIn: true, purpose: 'retention',
      does: 'delete records whose retention period (the spec\'s retention data rules) has ended', timeoutMs: 30 * 60_000, retries: 2,
    });
  }
  return { runnable, documented };
}

/**
 * The runnable jobs with their code (all, or those named in `only`): handler modules are loaded
 * now (a missing or broken module throws HandlerLoadError naming it, so start-up fails), built-in
 * jobs get theirs.
 */
export async function loadJobs(model: SystemModel, specDir: string, only?: readonly string[]): Promise<RunnableJob[]> {
  const jobs: RunnableJob[] = [];
  for (const definition of jobPlan(model).runnable) {
    if (only && !only.includes(definition.name)) continue;
    if (definition.handler) {
      // The same loader as endpoint handlers; a job module's default export takes a JobContext.
      const handler = (await loadHandler(specDir, definition.handler)) as unknown as JobHandler;
      jobs.push({ ...definition, run: (ctx) => handler(ctx) });
    } else if (definition.name === RETENTION_PURGE) {
      jobs.push({ ...definition, run: retentionPurge });
    }
  }
  return jobs;
}

/** The built-in retention job: the data-policy module deletes what the retention rules let go. */
async function retentionPurge(_ctx: JobContext, services: WorkServices): Promise<PurgeCount[]> {
  // Imported when the job runs, so a server without retention rules never loads it.
  const { purgeExpired } = await import('../data/retention.ts');
  return purgeExpired(services.storage, services.model, new Date());
}
