import type { Kysely } from 'kysely';

const LEASES = '_archspec_job_leases';
/** `leaseUntil` of a released lease: earlier than any clock, so the next acquisition never waits for it. */
const RELEASED = new Date(0).toISOString();

/** A lease this instance holds on one job (see {@link JobLeases.acquire}). */
export interface HeldLease {
  job: string;
  /** Names this acquisition: renewals and the release touch the row only while it still carries it. */
  token: string;
}

/** Who holds a job's lease, for refusals ("another instance is running it"). */
export interface LeaseState {
  holder: string;
  leaseUntil: string;
  lastScheduledFor: string | null;
}

/**
 * The job leases in `_archspec_job_leases`: one row per job naming the instance running it and
 * until when. Every change is ONE conditional statement (an upsert whose update carries the
 * condition, or an update filtered by the token), so two instances racing for a lease cannot both
 * win on SQLite or PostgreSQL. Timestamps are ISO-8601 UTC text, compared as text (which orders
 * them chronologically); they come from the instances' clocks, which are assumed to agree to well
 * within a lease period (NTP).
 *
 * @example
 * const leases = new JobLeases(storage.kysely);
 * const lease = await leases.acquire('settle-daily', { holder: 'web-1', token, now, ttlMs: 60_000, scheduledFor });
 * if (lease) try { ... } finally { await leases.release(lease, new Date()); }
 */
export class JobLeases {
  constructor(private readonly db: Kysely<any>) {}

  /**
   * Takes the job's lease until `now + ttlMs`, or returns undefined when someone else holds it.
   * A free or expired lease can be taken; for a scheduled occurrence (`scheduledFor`) only if no
   * instance has started this or a later occurrence yet (so an instance whose timer fired late
   * does not run an occurrence another instance already ran and released). A manual run
   * (`scheduledFor` undefined) needs only a free lease and leaves the occurrence mark as it is.
   */
  async acquire(job: string, options: { holder: string; token: string; now: Date; ttlMs: number; scheduledFor?: string }): Promise<HeldLease | undefined> {
    const now = options.now.toISOString();
    const taken = { holder: options.holder, token: options.token, leaseUntil: new Date(options.now.getTime() + options.ttlMs).toISOString(), acquiredAt: now };
    const scheduledFor = options.scheduledFor;
    const row = await this.db.insertInto(LEASES)
      .values({ job, ...taken, lastScheduledFor: scheduledFor ?? null })
      .onConflict((oc) => oc.column('job')
        .doUpdateSet(scheduledFor === undefined ? taken : { ...taken, lastScheduledFor: scheduledFor })
        .where((eb) => {
          const expired = eb(`${LEASES}.leaseUntil`, '<', now);
          if (scheduledFor === undefined) return expired;
          return eb.and([expired, eb.or([eb(`${LEASES}.lastScheduledFor`, 'is', null), eb(`${LEASES}.lastScheduledFor`, '<', scheduledFor)])]);
        }))
      .returning('token')
      .executeTakeFirst();
    return row?.token === options.token ? { job, token: options.token } : undefined;
  }

  /** Extends a held lease to `now + ttlMs`; false when it is no longer ours (it expired and another instance took it). */
  async renew(lease: HeldLease, now: Date, ttlMs: number): Promise<boolean> {
    const done = await this.db.updateTable(LEASES).set({ leaseUntil: new Date(now.getTime() + ttlMs).toISOString() })
      .where('job', '=', lease.job).where('token', '=', lease.token).executeTakeFirst();
    return done.numUpdatedRows > 0n;
  }

  /** Gives the lease up (if still ours): the next occurrence may run on any instance at once. */
  async release(lease: HeldLease): Promise<void> {
    await this.db.updateTable(LEASES).set({ leaseUntil: RELEASED }).where('job', '=', lease.job).where('token', '=', lease.token).execute();
  }

  /** The job's lease row, if it ever had one. */
  async state(job: string): Promise<LeaseState | undefined> {
    const row = await this.db.selectFrom(LEASES).select(['holder', 'leaseUntil', 'lastScheduledFor']).where('job', '=', job).executeTakeFirst();
    return row ? { holder: String(row.holder), leaseUntil: String(row.leaseUntil), lastScheduledFor: row.lastScheduledFor === null ? null : String(row.lastScheduledFor) } : undefined;
  }
}
