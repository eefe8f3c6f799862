import type { Kysely } from 'kysely';

const RUNS = '_archspec_job_runs';
/** Results larger than this (as JSON) are not kept in the history; the run's log line still has its size. */
export const MAX_RESULT_CHARS = 4096;
/** Error messages are cut to this length in the history. */
const MAX_ERROR_CHARS = 2000;

/** How a run was started. */
export type JobTrigger = 'schedule' | 'manual';
/** Where a run ends; `running` until then. */
export type JobRunStatus = 'running' | 'succeeded' | 'failed' | 'timed-out';

/** One attempt of one job as `_archspec_job_runs` keeps it. */
export interface JobRunRecord {
  id: string;
  job: string;
  trigger: JobTrigger;
  /** The instance that ran it. */
  instance: string;
  status: JobRunStatus;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** The occurrence (ISO-8601 UTC): the scheduled instant, or when a manual run was asked for. */
  scheduledFor: string | null;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** The handler's return value as JSON, when it has one of at most {@link MAX_RESULT_CHARS}. */
  result: string | null;
}

/** The JSON kept for a handler's return value: null for undefined, unserializable or oversized values. */
export function resultJson(value: unknown): string | null {
  if (value === undefined) return null;
  try {
    const json = JSON.stringify(value);
    return json !== undefined && json.length <= MAX_RESULT_CHARS ? json : null;
  } catch {
    return null;
  }
}

/**
 * The run history in `_archspec_job_runs`: a row is written when an attempt starts (status
 * `running`) and completed when it ends, each write committing on its own so the history shows a
 * run in progress.
 */
export class JobRuns {
  constructor(private readonly db: Kysely<any>) {}

  async start(run: Pick<JobRunRecord, 'id' | 'job' | 'trigger' | 'instance' | 'attempt' | 'scheduledFor' | 'startedAt'>): Promise<void> {
    await this.db.insertInto(RUNS).values({ ...run, status: 'running', finishedAt: null, error: null, result: null }).execute();
  }

  async finish(id: string, end: { status: Exclude<JobRunStatus, 'running'>; finishedAt: string; error?: string; result?: string | null }): Promise<void> {
    await this.db.updateTable(RUNS).set({
      status: end.status, finishedAt: end.finishedAt, error: end.error === undefined ? null : end.error.slice(0, MAX_ERROR_CHARS), result: end.result ?? null,
    }).where('id', '=', id).execute();
  }

  /**
   * Closes the rows of `job` still `running` as failed: called by the instance that just took the
   * job's lease, when no other run of it can be alive (a crashed instance left them open).
   */
  async interrupt(job: string, finishedAt: string): Promise<number> {
    const done = await this.db.updateTable(RUNS)
      .set({ status: 'failed', finishedAt, error: 'interrupted: its instance stopped (the job lease expired before the run ended)' })
      .where('job', '=', job).where('status', '=', 'running').executeTakeFirst();
    return Number(done.numUpdatedRows);
  }

  /** The newest runs of `job`, newest first. */
  async latest(job: string, limit = 1): Promise<JobRunRecord[]> {
    const rows = await this.db.selectFrom(RUNS).selectAll().where('job', '=', job).orderBy('startedAt', 'desc').orderBy('attempt', 'desc').limit(limit).execute();
    return rows.map((row) => ({ ...row, attempt: Number(row.attempt) }) as JobRunRecord);
  }

  async get(id: string): Promise<JobRunRecord | undefined> {
    const row = await this.db.selectFrom(RUNS).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? ({ ...row, attempt: Number(row.attempt) } as JobRunRecord) : undefined;
  }
}
