import type { Storage } from '../../src/adapters/storage/storage.ts';

/** One `_archspec_outbox` row as tests read it (payload parsed). */
export interface OutboxRow {
  id: string;
  name: string;
  payload: Record<string, any>;
  requestId: string | null;
  traceParent: string | null;
  createdAt: string;
  publishedAt: string | null;
}

/** Every event in the served app's transactional outbox, oldest first. */
export async function outboxRows(storage: Storage): Promise<OutboxRow[]> {
  const rows = await storage.kysely.selectFrom('_archspec_outbox').selectAll().orderBy('createdAt').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id, name: r.event, payload: JSON.parse(r.payload), requestId: r.requestId, traceParent: r.traceParent, createdAt: r.createdAt, publishedAt: r.publishedAt,
  }));
}

/** Every `_archspec_deliveries` row (one per event and consuming component), oldest first. */
export async function deliveryRows(storage: Storage): Promise<{ id: string; eventId: string; event: string; consumer: string; status: string; attempts: number; lastError: string | null }[]> {
  const rows = await storage.kysely.selectFrom('_archspec_deliveries').selectAll().orderBy('createdAt').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, eventId: r.eventId, event: r.event, consumer: r.consumer, status: r.status, attempts: Number(r.attempts), lastError: r.lastError }));
}

/** Polls `check` until it stops throwing (or returns true), at most `timeoutMs`; rethrows the last failure. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 25): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return result as Exclude<T, false>;
      if (Date.now() > deadline) throw new Error(`still false after ${timeoutMs} ms`);
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
