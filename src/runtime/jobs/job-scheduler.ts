import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Cron } from 'croner';
import type { WorkServices } from '../handlers/work-context.ts';
import type { RunnableJob } from './job-definitions.ts';
import { JobLeases, type HeldLease } from './job-leases.ts';
import type { JobMetrics } from './job-metrics.ts';
import { runJob, type JobLog, type JobRunOutcome } from './job-runner.ts';
import { JobRuns, type JobTrigger } from './job-runs.ts';

/** Tuning of {@link JobScheduler}; every field has a default. */
export interface JobSchedulerOptions {
  /** Names this instance in leases and run history (default `<hostname>:<pid>:<random>`). */
  instanceId?: string;
  /** How long a lease lasts without renewal (default 60 s); it is renewed every third of that while the job runs. */
  leaseMs?: number;
  /** Base of the exponential backoff between attempts (default 1 s: 1 s, 2 s, 4 s, ... capped at 60 s). */
  retryBaseMs?: number;
  /** How long `stop()` waits for aborted runs to finish before releasing their leases (default 5 s). */
  shutdownGraceMs?: number;
  /** The clock for leases and history (tests move it). */
  now?: () => Date;
}

/** Why an occurrence was not run here. */
export type SkipReason = 'lease-held' | 'already-ran' | 'running-here' | 'stopping';

/** What firing or running a job did. */
export type JobOutcome =
  | JobRunOutcome
  | { status: 'skipped'; job: string; reason: SkipReason; holder?: string; leaseUntil?: string };

/** A job name the scheduler does not run. */
export class UnknownJobError extends Error {
  readonly code = 'unknown_job';
  constructor(readonly job: string, readonly known: readonly string[]) {
    super(`no runnable job named "${job}"${known.length ? ` (runnable: ${known.join(', ')})` : ' (this spec has no runnable jobs)'}`);
    this.name = 'UnknownJobError';
  }
}

/** The most recent occurrence of `cron` at or before `at` (croner fires a few ms after it). */
export function occurrenceAt(cron: Cron, at: Date): Date | null {
  return cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
}

/**
 * Runs the spec's jobs on their schedules across any number of instances sharing one database:
 * croner computes each job's occurrences in its time zone; at each one every instance tries to take
 * the job's lease (one conditional write, see {@link JobLeases}) and only the winner runs it, so an
 * occurrence runs exactly once however many instances fire. An instance whose timer fires late, after
 * the winner released the lease, finds the occurrence already taken. A run that is still going when
 * the next occurrence comes makes that occurrence skip (no overlapping runs); a crashed instance's
 * lease expires after `leaseMs` and the next occurrence runs elsewhere.
 *
 * @example
 * const scheduler = new JobScheduler(await loadJobs(model, specDir), { services, log: app.log });
 * scheduler.start();
 * await scheduler.fire('send-reminders', new Date('2025-01-01T10:05:00Z')); // one occurrence, now
 * await scheduler.stop();
 */
export class JobScheduler {
  readonly instanceId: string;
  readonly leases: JobLeases;
  readonly runs: JobRuns;
  private readonly byName: Map<string, RunnableJob>;
  private readonly crons = new Map<string, Cron>();
  private readonly running = new Map<string, { stop: AbortController; done: Promise<JobOutcome> }>();
  private readonly leaseMs: number;
  private readonly retryBaseMs: number;
  private readonly graceMs: number;
  private readonly now: () => Date;
  private stopping = false;

  constructor(jobs: readonly RunnableJob[], private readonly deps: { services: WorkServices; log: JobLog; metrics?: JobMetrics }, options: JobSchedulerOptions = {}) {
    this.byName = new Map(jobs.map((job) => [job.name, job]));
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.graceMs = options.shutdownGraceMs ?? 5_000;
    this.now = options.now ?? (() => new Date());
    this.leases = new JobLeases(deps.services.storage.kysely);
    this.runs = new JobRuns(deps.services.storage.kysely);
  }

  /** The jobs this scheduler runs. */
  get jobs(): RunnableJob[] {
    return [...this.byName.values()];
  }

  /** Starts one croner timer per job (idempotent). Each fires {@link fire} with the occurrence it is for. */
  start(): void {
    if (this.stopping) return;
    for (const job of this.byName.values()) {
      if (this.crons.has(job.name)) continue;
      const cron: Cron = new Cron(job.schedule, {
        timezone: job.timezone,
        unref: true,
        catch: (e) => this.deps.log.error({ job: job.name, err: e }, `job ${job.name}: scheduler error`),
      }, () => {
        const at = occurrenceAt(cron, new Date()) ?? new Date();
        void this.fire(job.name, at).catch((e: unknown) => this.deps.log.error({ job: job.name, err: e }, `job ${job.name}: could not run the occurrence of ${at.toISOString()}`));
      });
      this.crons.set(job.name, cron);
    }
  }

  /** Stops the timers only: `fire` and `run` keep working, runs in progress go on, `start()` schedules again. */
  pause(): void {
    for (const cron of this.crons.values()) cron.stop();
    this.crons.clear();
  }

  /** The job's next occurrence after `from` (default now), or null when it has none. */
  nextRun(name: string, from: Date = this.now()): Date | null {
    return new Cron(this.job(name).schedule, { timezone: this.job(name).timezone, paused: true }).nextRun(from);
  }

  /**
   * Runs the occurrence of `name` scheduled for `at`, if this instance wins its lease: what the
   * croner timer calls, and how tests fire an occurrence without waiting for it. Resolves with the
   * outcome (`skipped` with the reason when another instance has it or already ran it).
   */
  fire(name: string, at: Date): Promise<JobOutcome> {
    return this.execute(this.job(name), 'schedule', at);
  }

  /** Runs `name` now, outside its schedule (`archspec jobs run`): skipped when an instance holds its lease. */
  run(name: string): Promise<JobOutcome> {
    return this.execute(this.job(name), 'manual', this.now());
  }

  /**
   * Stops the timers, aborts the runs in progress (their `ctx.signal`), waits up to the grace period
   * for them to end and releases their leases, so another instance can run the next occurrence at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pause();
    const inFlight = [...this.running.values()];
    for (const run of inFlight) run.stop.abort(new Error('the server is stopping'));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.graceMs); });
    await Promise.race([Promise.allSettled(inFlight.map((run) => run.done)), grace]);
    clearTimeout(timer);
  }

  private job(name: string): RunnableJob {
    const job = this.byName.get(name);
    if (!job) throw new UnknownJobError(name, [...this.byName.keys()]);
    return job;
  }

  private execute(job: RunnableJob, trigger: JobTrigger, at: Date): Promise<JobOutcome> {
    if (this.stopping) return Promise.resolve({ status: 'skipped', job: job.name, reason: 'stopping' });
    // Marked before the first await, so a second local call cannot race this one to the database.
    if (this.running.has(job.name)) return Promise.resolve({ status: 'skipped', job: job.name, reason: 'running-here' });
    const stop = new AbortController();
    const done = this.leased(job, trigger, at, stop).finally(() => this.running.delete(job.name));
    this.running.set(job.name, { stop, done });
    return done;
  }

  private async leased(job: RunnableJob, trigger: JobTrigger, at: Date, stop: AbortController): Promise<JobOutcome> {
    const token = randomUUID();
    const lease = await this.leases.acquire(job.name, {
      holder: this.instanceId, token, now: this.now(), ttlMs: this.leaseMs, ...(trigger === 'schedule' ? { scheduledFor: at.toISOString() } : {}),
    });
    if (!lease) return this.skipped(job.name);
    const renewal = this.keepRenewed(job, lease, stop);
    try {
      const interrupted = await this.runs.interrupt(job.name, this.now().toISOString());
      if (interrupted) this.deps.log.warn({ job: job.name, runs: interrupted }, `job ${job.name}: closed ${interrupted} run(s) left running by an instance that stopped`);
      return await runJob(job, { trigger, scheduledFor: at, stop: stop.signal }, {
        services: this.deps.services, runs: this.runs, log: this.deps.log, ...(this.deps.metrics ? { metrics: this.deps.metrics } : {}),
        instance: this.instanceId, retryBaseMs: this.retryBaseMs, now: this.now,
      });
    } finally {
      clearInterval(renewal);
      await this.leases.release(lease).catch((e: unknown) => this.deps.log.warn({ job: job.name, err: e }, `job ${job.name}: could not release its lease (it expires by itself)`));
    }
  }

  /** Renews the lease every third of its length; aborts the run when the lease was lost (or could not be renewed before it ran out). */
  private keepRenewed(job: RunnableJob, lease: HeldLease, stop: AbortController): NodeJS.Timeout {
    let heldUntil = this.now().getTime() + this.leaseMs;
    const lost = (why: string) => {
      this.deps.log.error({ job: job.name, instance: this.instanceId }, `job ${job.name}: ${why}; aborting the run`);
      stop.abort(new Error(`${job.name} lost its lease (${why})`));
    };
    const timer = setInterval(() => {
      const now = this.now();
      this.leases.renew(lease, now, this.leaseMs).then(
        (ours) => {
          if (ours) heldUntil = now.getTime() + this.leaseMs;
          else lost('another instance took the lease');
        },
        (e: unknown) => {
          this.deps.log.warn({ job: job.name, err: e }, `job ${job.name}: could not renew its lease`);
          if (this.now().getTime() >= heldUntil) lost('the lease ran out while the database was unreachable');
        },
      );
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    timer.unref();
    return timer;
  }

  private async skipped(job: string): Promise<JobOutcome> {
    const state = await this.leases.state(job);
    const held = state !== undefined && state.leaseUntil >= this.now().toISOString();
    return { status: 'skipped', job, reason: held ? 'lease-held' : 'already-ran', ...(state && held ? { holder: state.holder, leaseUntil: state.leaseUntil } : {}) };
  }
}
