import { AsyncLocalStorage } from 'node:async_hooks';
import type { HandlerContext, HandlerDb, HandlerLog, JobContext, JobRunInfo } from '../handlers/handler-context.ts';
import { workContext, type WorkServices } from '../handlers/work-context.ts';

/** The transaction a `ctx.transaction` callback runs in: `ctx.db` and `ctx.emit` join it. */
interface OpenTransaction {
  db: HandlerDb;
  emit: HandlerContext['emit'];
}

/**
 * The context of one job attempt. Jobs run for minutes, so it is not one transaction (a long SQLite
 * transaction would block every writer, a long PostgreSQL one holds locks and snapshots): `ctx.db`
 * calls commit one by one on the storage with the data policies; `ctx.transaction` opens a real
 * transaction and, for the callback's duration (an AsyncLocalStorage scope), routes `ctx.db` and
 * `ctx.emit` into it, so a handler that keeps using `ctx.db` inside the callback neither escapes
 * the transaction nor deadlocks SQLite's single connection. `ctx.emit` outside a transaction
 * records the event in a transaction of its own through the server's emitter (the outbox). Once
 * `signal` is aborted (timeout, shutdown, lost lease) every database and event call throws, so a
 * run reported as timed out cannot keep writing next to its retry.
 *
 * @example
 * const ctx = jobContext(services, { name: 'send-reminders', runId, attempt: 1, scheduledFor, trigger: 'schedule' }, controller.signal, log);
 * await handler(ctx);
 */
export function jobContext(services: WorkServices, job: JobRunInfo, signal: AbortSignal, log: HandlerLog): JobContext {
  const open = new AsyncLocalStorage<OpenTransaction>();
  const meta = { requestId: job.runId };

  const emitAlone: HandlerContext['emit'] = async (event, payload) => {
    await services.storage.transaction(async (tx) => services.emitter(tx, meta)(event, payload));
    services.afterCommit();
  };
  const outside = workContext(services, services.storage, emitAlone, log);
  const current = (): OpenTransaction | undefined => open.getStore();
  const live = async <T>(fn: () => Promise<T>): Promise<T> => {
    signal.throwIfAborted();
    return fn();
  };

  const db: HandlerDb = {
    get: (entity, id, options) => live(() => (current()?.db ?? outside.db).get(entity, id, options)),
    list: (entity, where, options) => live(() => (current()?.db ?? outside.db).list(entity, where, options)),
    create: (entity, values) => live(() => (current()?.db ?? outside.db).create(entity, values)),
    update: (entity, id, patch, options) => live(() => (current()?.db ?? outside.db).update(entity, id, patch, options)),
    delete: (entity, id) => live(() => (current()?.db ?? outside.db).delete(entity, id)),
  };

  async function transaction<T>(fn: (db: HandlerDb) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    // A transaction inside another joins it (one connection, one commit).
    if (current()) return fn(db);
    const result = await services.storage.transaction(async (tx) => {
      const emit = services.emitter(tx, meta);
      const inside = workContext(services, tx, emit, log);
      return open.run({ db: inside.db, emit }, () => fn(db));
    });
    services.afterCommit();
    return result;
  }

  return {
    db,
    emit: (event, payload) => live(() => (current()?.emit ?? emitAlone)(event, payload)),
    transaction,
    cache: outside.cache,
    integrations: outside.integrations,
    log,
    job,
    signal,
  };
}
