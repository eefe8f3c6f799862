import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../adapters/storage/create-storage.ts';
import type { Storage, StorageConfig, StorageEngineName } from '../../adapters/storage/storage.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { postgresUrl } from '../../../test/support/postgres.ts';
import { modelWithData } from '../../../test/conformance/storage-test-model.ts';
import { formatInZone } from '../../cli/jobs-command.ts';
import type { JobContext } from '../handlers/handler-context.ts';
import type { WorkServices } from '../handlers/work-context.ts';
import { currentActor, currentRequestId, currentWork } from '../request-context.ts';
import type { RunnableJob } from './job-definitions.ts';
import { jobMetrics } from './job-metrics.ts';
import { JobScheduler, occurrenceAt, type JobSchedulerOptions } from './job-scheduler.ts';
import { Cron } from 'croner';

// The scheduler against real databases: leases decide which instance runs an occurrence, history
// rows record every attempt, job contexts commit call by call. Occurrences are fired directly
// (`fire(name, at)`), so no test waits for a real schedule except the one that checks croner's timer.

const ENGINES = (process.env.STORAGE_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim())
  .filter((e): e is StorageEngineName => e === 'sqlite' || e === 'postgres');

const model: SystemModel = modelWithData(`
User:
  fields:
    email: { type: email, unique: true }
    role: { type: enum, values: [user, admin], default: user }
Note:
  owner: author
  fields:
    author: { ref: User, onDelete: cascade }
    body: text
Item:
  fields:
    label: { type: string, unique: true }
`);

const T = new Date('2025-06-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T.getTime() + n * 60_000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const silent = pino({ level: 'silent' });

function job(name: string, run: (ctx: JobContext) => unknown, overrides: Partial<RunnableJob> = {}): RunnableJob {
  return { name, schedule: '*/5 * * * *', timezone: 'UTC', does: 'test', timeoutMs: 10_000, retries: 0, builtIn: false, handler: `./${name}.ts`, run, ...overrides };
}

/** Services as the server builds them, with an emitter that writes the outbox row in the given transaction. */
function servicesOf(storage: Storage, committed: { count: number } = { count: 0 }): WorkServices {
  return {
    model, storage, cache: { get: async () => undefined, set: async () => {}, delete: async () => {} }, integrations: {}, tracer: trace.getTracer('test'),
    emitter: (tx, meta) => async (event, payload) => {
      await tx.kysely.insertInto('_archspec_outbox').values({
        id: randomUUID(), event, payload: JSON.stringify(payload), requestId: meta.requestId ?? null, traceParent: null, createdAt: new Date().toISOString(), publishedAt: null,
      }).execute();
    },
    afterCommit: () => { committed.count += 1; },
  };
}

async function database(engine: StorageEngineName): Promise<{ config: StorageConfig; stop(): Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'archspec-jobs-'));
    return { config: { engine, url: join(dir, 'jobs.sqlite') }, stop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const pg = await postgresUrl();
  return { config: { engine, url: pg.url, poolSize: 4 }, stop: () => pg.stop() };
}

describe.each(ENGINES)('job scheduler on %s', (engine) => {
  let db: Awaited<ReturnType<typeof database>>;
  // Two storages on one database: two instances of the server.
  let first: Storage;
  let second: Storage;
  const schedulers: JobScheduler[] = [];
  const scheduler = (storage: Storage, jobs: RunnableJob[], options: JobSchedulerOptions & { services?: WorkServices; registry?: Registry } = {}) => {
    const { services, registry, ...rest } = options;
    const s = new JobScheduler(jobs, {
      services: services ?? servicesOf(storage), log: silent, ...(registry ? { metrics: jobMetrics(registry, jobs.map((j) => j.name)) } : {}),
    }, { retryBaseMs: 1, ...rest });
    schedulers.push(s);
    return s;
  };
  const historyOf = (name: string) => first.kysely.selectFrom('_archspec_job_runs').selectAll().where('job', '=', name).orderBy('startedAt').orderBy('attempt').execute();
  const leaseOf = (name: string) => first.kysely.selectFrom('_archspec_job_leases').selectAll().where('job', '=', name).executeTakeFirst();

  beforeAll(async () => {
    db = await database(engine);
    first = await createStorage(model, db.config);
    await first.migrate();
    second = await createStorage(model, db.config);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await db?.stop();
  });
  beforeEach(async () => {
    for (const table of ['_archspec_job_leases', '_archspec_job_runs', '_archspec_outbox', 'Item']) await first.kysely.deleteFrom(table).execute();
  });
  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  });

  it('runs an occurrence as job:<name> and records it in the history', async () => {
    const seen: unknown[] = [];
    const s = scheduler(first, [job('tick', (ctx) => {
      seen.push({ actor: currentActor(), requestId: currentRequestId(), source: currentWork()?.source, job: ctx.job });
      return { ticked: true };
    })]);
    const outcome = await s.fire('tick', T);
    expect(outcome).toMatchObject({ status: 'succeeded', job: 'tick', attempts: 1, result: { ticked: true }, scheduledFor: T.toISOString() });
    const runId = (outcome as { runId: string }).runId;
    expect(seen).toEqual([{ actor: 'job:tick', requestId: runId, source: 'job', job: { name: 'tick', runId, attempt: 1, scheduledFor: T, trigger: 'schedule' } }]);
    const [row] = await historyOf('tick');
    expect(row).toMatchObject({ id: runId, trigger: 'schedule', instance: s.instanceId, status: 'succeeded', scheduledFor: T.toISOString(), result: '{"ticked":true}', error: null });
    expect(Number(row!.attempt)).toBe(1);
    expect(row!.finishedAt >= row!.startedAt).toBe(true);
    // Released (leaseUntil at the epoch), with the occurrence remembered.
    expect(await leaseOf('tick')).toMatchObject({ holder: s.instanceId, leaseUntil: new Date(0).toISOString(), lastScheduledFor: T.toISOString() });
  });

  it('two instances firing the same occurrences run each exactly once', async () => {
    const ran: string[] = [];
    const slowTick = () => job('tick', async (ctx) => {
      ran.push(ctx.job.scheduledFor.toISOString());
      await sleep(30);
    });
    const a = scheduler(first, [slowTick()], { instanceId: 'a' });
    const b = scheduler(second, [slowTick()], { instanceId: 'b' });
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(...(await Promise.all([a.fire('tick', minutes(5 * i)), b.fire('tick', minutes(5 * i))])));
    expect(ran).toEqual([0, 1, 2, 3, 4, 5].map((i) => minutes(5 * i).toISOString()));
    expect(outcomes.filter((o) => o.status === 'succeeded')).toHaveLength(6);
    for (const o of outcomes.filter((o) => o.status === 'skipped')) expect(['lease-held', 'already-ran']).toContain((o as { reason: string }).reason);
    expect(await historyOf('tick')).toHaveLength(6);
  });

  it('an instance firing late does not run an occurrence another instance already ran', async () => {
    let runs = 0;
    const a = scheduler(first, [job('tick', () => { runs += 1; })], { instanceId: 'a' });
    const b = scheduler(second, [job('tick', () => { runs += 1; })], { instanceId: 'b' });
    expect((await a.fire('tick', minutes(5))).status).toBe('succeeded');
    expect(await b.fire('tick', minutes(5))).toEqual({ status: 'skipped', job: 'tick', reason: 'already-ran' });
    expect(await b.fire('tick', minutes(0))).toEqual({ status: 'skipped', job: 'tick', reason: 'already-ran' });
    expect(runs).toBe(1);
    expect(await b.fire('tick', minutes(10))).toMatchObject({ status: 'succeeded' });
    expect(runs).toBe(2);
  });

  it('takes over from a crashed instance once its lease expired, and not before', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 60_000).toISOString();
    await first.kysely.insertInto('_archspec_job_leases').values({ job: 'tick', holder: 'crashed', token: 't0', leaseUntil: future, acquiredAt: past, lastScheduledFor: minutes(0).toISOString() }).execute();
    let runs = 0;
    const b = scheduler(second, [job('tick', () => { runs += 1; })], { instanceId: 'b' });
    expect(await b.fire('tick', minutes(5))).toEqual({ status: 'skipped', job: 'tick', reason: 'lease-held', holder: 'crashed', leaseUntil: future });
    expect(await b.run('tick')).toMatchObject({ status: 'skipped', reason: 'lease-held', holder: 'crashed' });
    // The crashed instance's run never finished its history row.
    await first.kysely.insertInto('_archspec_job_runs').values({
      id: 'crashed-run', job: 'tick', trigger: 'schedule', instance: 'crashed', status: 'running', attempt: 1, scheduledFor: minutes(0).toISOString(), startedAt: past, finishedAt: null, error: null, result: null,
    }).execute();
    await first.kysely.updateTable('_archspec_job_leases').set({ leaseUntil: past }).where('job', '=', 'tick').execute();
    expect(await b.fire('tick', minutes(10))).toMatchObject({ status: 'succeeded' });
    expect(runs).toBe(1);
    expect(await historyOf('tick')).toEqual([
      expect.objectContaining({ id: 'crashed-run', status: 'failed', error: expect.stringMatching(/^interrupted: its instance stopped/) }),
      expect.objectContaining({ instance: 'b', status: 'succeeded' }),
    ]);
    expect(await leaseOf('tick')).toMatchObject({ holder: 'b', lastScheduledFor: minutes(10).toISOString() });
  });

  it('a manual run holds the lease against scheduled occurrences and leaves them to run later', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let started = false;
    const a = scheduler(first, [job('slow', async () => { started = true; await gate; return 'done'; })], { instanceId: 'a' });
    const b = scheduler(second, [job('slow', () => 'done')], { instanceId: 'b' });
    const manual = a.run('slow');
    while (!started) await sleep(5);
    expect(await b.fire('slow', minutes(5))).toMatchObject({ status: 'skipped', reason: 'lease-held', holder: 'a' });
    expect(await a.fire('slow', minutes(5))).toEqual({ status: 'skipped', job: 'slow', reason: 'running-here' });
    release();
    expect(await manual).toMatchObject({ status: 'succeeded', result: 'done' });
    const [row] = await historyOf('slow');
    expect(row).toMatchObject({ trigger: 'manual', instance: 'a', status: 'succeeded' });
    // The manual run did not mark an occurrence: the scheduled one still runs.
    expect(await b.fire('slow', minutes(5))).toMatchObject({ status: 'succeeded' });
  });

  it('times out a stuck handler, retries it `retries` times, and stops its later writes', async () => {
    const blocked: string[] = [];
    const a = scheduler(first, [
      job('stuck', async (ctx) => {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        try {
          await ctx.db.create('Item', { label: `late-${ctx.job.attempt}` });
        } catch (e) {
          blocked.push((e as Error).message);
        }
      }, { timeoutMs: 40, retries: 2 }),
      job('deaf', () => new Promise(() => {}), { timeoutMs: 30, retries: 0 }),
    ]);
    const outcome = await a.fire('stuck', T);
    expect(outcome).toMatchObject({ status: 'timed-out', attempts: 3, error: 'stuck timed out after 40 ms' });
    const history = await historyOf('stuck');
    expect(history.map((r) => [Number(r.attempt), r.status, r.error])).toEqual([1, 2, 3].map((n) => [n, 'timed-out', 'stuck timed out after 40 ms']));
    await sleep(20);
    expect(blocked).toEqual(Array(3).fill('stuck timed out after 40 ms'));
    expect((await first.list('Item', { limit: 10 })).items).toEqual([]);
    // A handler that never settles and ignores its signal is reported all the same.
    expect(await a.fire('deaf', T)).toMatchObject({ status: 'timed-out', attempts: 1 });
  });

  it('records each failed attempt and retries with backoff until one succeeds', async () => {
    const a = scheduler(first, [
      job('flaky', (ctx) => {
        if (ctx.job.attempt < 3) throw new Error(`boom ${ctx.job.attempt}`);
        return { attempt: ctx.job.attempt };
      }, { retries: 2 }),
      job('broken', () => { throw new Error('always broken'); }, { retries: 1 }),
    ], { retryBaseMs: 5 });
    expect(await a.fire('flaky', T)).toMatchObject({ status: 'succeeded', attempts: 3, result: { attempt: 3 } });
    const history = await historyOf('flaky');
    expect(history.map((r) => [Number(r.attempt), r.status, r.error, r.result])).toEqual([
      [1, 'failed', 'boom 1', null], [2, 'failed', 'boom 2', null], [3, 'succeeded', null, '{"attempt":3}'],
    ]);
    expect(new Set(history.map((r) => r.id)).size).toBe(3);
    // Backoff: the second retry waited twice as long as the first.
    expect(Date.parse(history[2]!.startedAt) - Date.parse(history[1]!.finishedAt)).toBeGreaterThanOrEqual(9);
    expect(await a.fire('broken', T)).toMatchObject({ status: 'failed', attempts: 2, error: 'always broken' });
    expect((await historyOf('broken')).map((r) => r.status)).toEqual(['failed', 'failed']);
  });

  it('commits ctx.db call by call, and ctx.transaction writes and events together or not at all', async () => {
    const committed = { count: 0 };
    const a = scheduler(first, [job('writer', async (ctx) => {
      await ctx.db.create('Item', { label: 'alone' });
      await ctx.transaction(async (tx) => {
        await tx.create('Item', { label: 'rolled-back' });
        await ctx.emit('note.published', { n: 'rolled back' });
        throw new Error('undo');
      }).catch(() => {});
      await ctx.transaction(async () => {
        // ctx.db inside the callback joins the transaction (no second connection, no deadlock on SQLite).
        await ctx.db.create('Item', { label: 'together' });
        await ctx.emit('note.published', { n: 'with the user' });
        await ctx.transaction(async (inner) => inner.create('Item', { label: 'nested' }));
      });
      await ctx.emit('note.published', { n: 'alone' });
      return 'ok';
    })], { services: servicesOf(first, committed) });
    const outcome = await a.fire('writer', T);
    expect(outcome).toMatchObject({ status: 'succeeded' });
    const labels = (await first.list('Item', { limit: 10 })).items.map((i) => i.label).sort();
    expect(labels).toEqual(['alone', 'nested', 'together']);
    const outbox = await first.kysely.selectFrom('_archspec_outbox').selectAll().execute();
    expect(outbox.map((r) => JSON.parse(r.payload).n).sort()).toEqual(['alone', 'with the user']);
    for (const row of outbox) expect(row.requestId).toBe((outcome as { runId: string }).runId);
    expect(committed.count).toBe(2);
  });

  it('stop() aborts the run in progress and releases its lease', async () => {
    let started = false;
    const a = scheduler(first, [job('long', async (ctx) => {
      started = true;
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      throw ctx.signal.reason;
    }, { retries: 3 })], { instanceId: 'a' });
    const running = a.fire('long', T);
    while (!started) await sleep(5);
    await a.stop();
    expect(await running).toMatchObject({ status: 'failed', attempts: 1, error: 'the server is stopping' });
    expect(await leaseOf('long')).toMatchObject({ leaseUntil: new Date(0).toISOString() });
    expect(await a.fire('long', minutes(5))).toEqual({ status: 'skipped', job: 'long', reason: 'stopping' });
  });

  it('aborts a run whose lease another instance took', async () => {
    let started = false;
    const a = scheduler(first, [job('long', async (ctx) => {
      started = true;
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    })], { instanceId: 'a', leaseMs: 60 });
    const running = a.fire('long', T);
    while (!started) await sleep(5);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await second.kysely.updateTable('_archspec_job_leases').set({ holder: 'b', token: 'stolen', leaseUntil: future }).where('job', '=', 'long').execute();
    expect(await running).toMatchObject({ status: 'failed', error: 'long lost its lease (another instance took the lease)' });
    // Our release did not touch the other instance's lease.
    expect(await leaseOf('long')).toMatchObject({ holder: 'b', leaseUntil: future });
  });

  it('counts runs, durations and the last success in the metrics', async () => {
    const registry = new Registry();
    const a = scheduler(first, [job('tick', () => 1), job('broken', () => { throw new Error('x'); })], { registry });
    await a.fire('tick', T);
    await a.fire('broken', T);
    const text = await registry.metrics();
    expect(text).toContain('archspec_job_runs_total{job="tick",status="succeeded"} 1');
    expect(text).toContain('archspec_job_runs_total{job="broken",status="failed"} 1');
    expect(text).toContain('archspec_job_runs_total{job="broken",status="timed-out"} 0');
    expect(text).toContain('archspec_job_duration_seconds_count{job="tick"} 1');
    const success = /archspec_job_last_success_timestamp_seconds\{job="tick"\} (\d+(\.\d+)?)/.exec(text);
    expect(Number(success?.[1])).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(text).not.toContain('archspec_job_last_success_timestamp_seconds{job="broken"}');
  });

  it.runIf(engine === 'sqlite')('fires on croner\'s own timer (a per-second schedule)', async () => {
    const fired: string[] = [];
    const a = scheduler(first, [job('every-second', (ctx) => { fired.push(ctx.job.scheduledFor.toISOString()); }, { schedule: '* * * * * *' })]);
    a.start();
    for (let i = 0; i < 60 && fired.length < 2; i++) await sleep(50);
    await a.stop();
    expect(fired.length).toBeGreaterThanOrEqual(2);
    for (const at of fired) expect(at).toMatch(/:\d\d\.000Z$/);
    expect(new Set(fired).size).toBe(fired.length);
    expect((await historyOf('every-second')).map((r) => r.scheduledFor)).toEqual(fired);
  }, 10_000);
});

describe('schedules in time zones', () => {
  const inZone = (schedule: string, timezone: string) => new JobScheduler([job('j', () => {}, { schedule, timezone })], { services: { storage: { kysely: {} } } as unknown as WorkServices, log: silent });

  it('computes the next run of 15 23 * * * in New York across both DST changes', () => {
    const s = inZone('15 23 * * *', 'America/New_York');
    // Spring forward (2025-03-09): 23:15 EST is 04:15Z, the day after 23:15 EDT is 03:15Z.
    const spring = s.nextRun('j', new Date('2025-03-08T12:00:00Z'))!;
    expect(spring.toISOString()).toBe('2025-03-09T04:15:00.000Z');
    expect(s.nextRun('j', spring)!.toISOString()).toBe('2025-03-10T03:15:00.000Z');
    // Fall back (2025-11-02).
    const fall = s.nextRun('j', new Date('2025-11-01T12:00:00Z'))!;
    expect(fall.toISOString()).toBe('2025-11-02T03:15:00.000Z');
    expect(s.nextRun('j', fall)!.toISOString()).toBe('2025-11-03T04:15:00.000Z');
    expect(formatInZone(spring, 'America/New_York')).toBe('2025-03-08 23:15 EST');
    expect(formatInZone(new Date('2025-03-10T03:15:00Z'), 'America/New_York')).toBe('2025-03-09 23:15 EDT');
  });

  it('names the occurrence a late timer fires for', () => {
    const cron = new Cron('*/5 * * * *', { paused: true });
    expect(occurrenceAt(cron, new Date('2025-01-01T00:05:00.000Z'))!.toISOString()).toBe('2025-01-01T00:05:00.000Z');
    expect(occurrenceAt(cron, new Date('2025-01-01T00:05:00.004Z'))!.toISOString()).toBe('2025-01-01T00:05:00.000Z');
    expect(occurrenceAt(cron, new Date('2025-01-01T00:07:31.000Z'))!.toISOString()).toBe('2025-01-01T00:05:00.000Z');
  });
});
