import { randomUUID } from 'node:crypto';
import { withSpan } from '../observability/tracing.ts';
import { runAs } from '../request-context.ts';
import type { HandlerLog } from '../handlers/handler-context.ts';
import type { WorkServices } from '../handlers/work-context.ts';
import { jobContext } from './job-context.ts';
import type { RunnableJob } from './job-definitions.ts';
import type { JobMetrics } from './job-metrics.ts';
import { resultJson, type JobRunStatus, type JobRuns, type JobTrigger } from './job-runs.ts';

/** A logger that can name the run on every line (pino's and Fastify's loggers are). */
export interface JobLog extends HandlerLog {
  child(bindings: Record<string, unknown>): JobLog;
}

/** How a job's attempts ended (a run that was not started at all is a `skipped` scheduler outcome). */
export interface JobRunOutcome {
  status: Exclude<JobRunStatus, 'running'>;
  job: string;
  /** The id of the last attempt. */
  runId: string;
  attempts: number;
  scheduledFor: string;
  durationMs: number;
  result?: unknown;
  error?: string;
}

/** What {@link runJob} needs besides the job. */
export interface RunnerDeps {
  services: WorkServices;
  runs: JobRuns;
  log: JobLog;
  metrics?: JobMetrics;
  instance: string;
  /** Base of the exponential backoff between attempts: base, 2x base, 4x base, ... (capped at a minute). */
  retryBaseMs: number;
  now(): Date;
}

/** A run that exceeded its job's timeout. */
export class JobTimeoutError extends Error {
  readonly code = 'job_timed_out';
  constructor(readonly job: string, readonly timeoutMs: number) {
    super(`${job} timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Runs one occurrence of `job`: up to `retries + 1` attempts with exponential backoff, each with
 * its own run id and history row, inside `runAs({ source: 'job', actor: 'job:<name>', requestId:
 * runId })` so logs, audit rows and outbox rows name it. An attempt ends at the job's timeout even
 * if the handler ignores `ctx.signal` (it is aborted and reported `timed-out`; its later database
 * calls throw). When `stop` is aborted (shutdown, lost lease) the attempt in progress is aborted and
 * no retry follows. The caller holds the job's lease.
 *
 * @example
 * const outcome = await runJob(job, { trigger: 'schedule', scheduledFor, stop: controller.signal }, deps);
 */
export async function runJob(job: RunnableJob, run: { trigger: JobTrigger; scheduledFor: Date; stop: AbortSignal }, deps: RunnerDeps): Promise<JobRunOutcome> {
  const started = Date.now();
  const scheduledFor = run.scheduledFor.toISOString();
  let last: { status: Exclude<JobRunStatus, 'running'>; runId: string; result?: unknown; error?: string } | undefined;
  let attempt = 0;
  while (attempt < job.retries + 1) {
    attempt += 1;
    last = await runAttempt(job, { ...run, attempt }, deps);
    if (last.status === 'succeeded' || run.stop.aborted || attempt > job.retries) break;
    const delay = Math.min(deps.retryBaseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    deps.log.info({ job: job.name, attempt, retryInMs: delay }, `job ${job.name} will retry in ${delay} ms`);
    await sleep(delay, run.stop);
    if (run.stop.aborted) break;
  }
  const outcome = last!;
  if (outcome.status !== 'succeeded') deps.log.error({ job: job.name, runId: outcome.runId, attempts: attempt, err: outcome.error }, `job ${job.name} ${outcome.status} after ${attempt} attempt(s): ${outcome.error}`);
  return { ...outcome, job: job.name, attempts: attempt, scheduledFor, durationMs: Date.now() - started };
}

async function runAttempt(job: RunnableJob, run: { trigger: JobTrigger; scheduledFor: Date; stop: AbortSignal; attempt: number }, deps: RunnerDeps) {
  const runId = randomUUID();
  const log = deps.log.child({ job: job.name, runId, attempt: run.attempt });
  const startedAt = deps.now();
  await deps.runs.start({ id: runId, job: job.name, trigger: run.trigger, instance: deps.instance, attempt: run.attempt, scheduledFor: run.scheduledFor.toISOString(), startedAt: startedAt.toISOString() });

  const controller = new AbortController();
  const stop = () => controller.abort(run.stop.reason);
  if (run.stop.aborted) stop();
  else run.stop.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(() => controller.abort(new JobTimeoutError(job.name, job.timeoutMs)), job.timeoutMs);
  // Settles when the attempt is aborted, so a handler that ignores its signal cannot hold the run open.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });

  const ctx = jobContext(deps.services, { name: job.name, runId, attempt: run.attempt, scheduledFor: run.scheduledFor, trigger: run.trigger }, controller.signal, log);
  const work = { source: 'job' as const, actor: `job:${job.name}`, requestId: runId, ...(job.purpose ? { purpose: job.purpose } : {}) };
  let status: Exclude<JobRunStatus, 'running'> = 'succeeded';
  let result: unknown;
  let error: string | undefined;
  try {
    result = await Promise.race([
      runAs(work, () => withSpan(deps.services.tracer, `job ${job.name}`, async () => job.run(ctx, deps.services), { 'archspec.job': job.name, 'archspec.job.attempt': run.attempt })),
      aborted,
    ]);
  } catch (e) {
    const cause = controller.signal.aborted ? controller.signal.reason : e;
    status = cause instanceof JobTimeoutError ? 'timed-out' : 'failed';
    error = cause instanceof Error ? cause.message : String(cause);
  } finally {
    clearTimeout(timer);
    run.stop.removeEventListener('abort', stop);
    // Whatever the handler still does after this throws at its next database or event call.
    if (!controller.signal.aborted) controller.abort(new Error(`${job.name} attempt ${run.attempt} has ended`));
  }

  const finishedAt = deps.now();
  const seconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  await deps.runs.finish(runId, { status, finishedAt: finishedAt.toISOString(), ...(error !== undefined ? { error } : {}), result: status === 'succeeded' ? resultJson(result) : null });
  deps.metrics?.attempt(job.name, status, seconds);
  if (status === 'succeeded') {
    deps.metrics?.succeeded(job.name, finishedAt);
    log.info({ durationMs: Math.round(seconds * 1000) }, `job ${job.name} succeeded`);
  } else {
    log.warn({ durationMs: Math.round(seconds * 1000), err: error }, `job ${job.name} attempt ${run.attempt} ${status}: ${error}`);
  }
  return { status, runId, ...(status === 'succeeded' ? { result } : { error }) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
