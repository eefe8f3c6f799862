import type { Storage } from '../../adapters/storage/storage.ts';
import { ForeignKeyViolationError } from '../../adapters/storage/storage-errors.ts';
import type { Entity, SystemModel } from '../../model/system-model.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import { currentWork, withPurpose } from '../request-context.ts';
import { incomingReferences, type IncomingReference } from './privacy/subject-graph.ts';

/**
 * The retention purge: records older than their entity's `retention` rule are deleted for good.
 * The jobs runtime runs it hourly as the built-in job `retention-purge`.
 */

/** What the purge did for one retention rule. */
export interface PurgeCount {
  entity: string;
  deleted: number;
  /** Expired records left in place because records still reference them with `onDelete: restrict`. */
  skipped: number;
  /** The references that kept them (`Payment.order`), when any were skipped. */
  skippedBecause: string[];
}

/** Records listed and deleted per transaction. */
const BATCH = 200;
/** Passes over one entity: an expired record referenced only by other expired records goes in the next pass. */
const MAX_PASSES = 5;

/**
 * The field a record's age is measured from: `createdAt` when the entity keeps timestamps (the
 * default), else its first required `timestamp` field (e.g. a ledger entry's `postedAt`);
 * undefined when it has neither (the model rule `retention_without_age` rejects such specs).
 */
export function retentionAgeField(entity: Entity): string | undefined {
  if (entity.timestamps) return 'createdAt';
  return entity.fields.find((f) => f.type === 'timestamp' && f.required)?.name;
}

/**
 * Deletes, for each `retention` rule, the records of its entity whose age field is older than
 * `now - keep`: hard deletes (soft-deleted records included), in batches of 200, each batch in one
 * transaction, each record through the storage's record operations, so the audit log records every
 * delete and immutable entities are deletable (the work runs with purpose `retention`; outside any
 * work it runs as `job:retention-purge`). A record still referenced with `onDelete: restrict` (a
 * recent payment pointing at an expired order) is skipped and counted, never an error; records the
 * database deletes with a purged one (`onDelete: cascade`) go with it, as the spec declares.
 *
 * @example
 * await runAs({ source: 'job', actor: 'job:retention-purge', purpose: 'retention' }, () => purgeExpired(storage, model));
 * // [{ entity: 'Visit', deleted: 1200, skipped: 0, skippedBecause: [] }]
 */
export async function purgeExpired(storage: Storage, model: SystemModel, now: Date = new Date()): Promise<PurgeCount[]> {
  const purge = async () => {
    const incoming = incomingReferences(model);
    const counts: PurgeCount[] = [];
    for (const rule of model.requirements.data) {
      if (rule.rule !== 'retention') continue;
      const entity = entityOf(model, rule.entity);
      const field = retentionAgeField(entity);
      if (!field) throw new Error(`retention of ${entity.name}: it has no createdAt and no required timestamp field to age its records by`);
      const cutoff = new Date(now.getTime() - rule.keepMs).toISOString();
      const restricting = (incoming.get(entity.name) ?? []).filter((r) => r.onDelete === 'restrict');
      counts.push(await purgeEntity(storage, entity, field, cutoff, restricting));
    }
    return counts;
  };
  return currentWork()?.purpose === 'retention' ? purge() : withPurpose('retention', { source: 'job', actor: 'job:retention-purge' }, purge);
}

async function purgeEntity(storage: Storage, entity: Entity, field: string, cutoff: string, restricting: IncomingReference[]): Promise<PurgeCount> {
  const count: PurgeCount = { entity: entity.name, deleted: 0, skipped: 0, skippedBecause: [] };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let deleted = 0;
    const because = new Set<string>();
    let skipped = 0;
    let cursor: string | undefined;
    do {
      const page = await storage.list(entity.name, { filters: [{ field, op: 'lt', value: cutoff }], includeDeleted: true, limit: BATCH, cursor, fields: [field] });
      cursor = page.nextCursor;
      const ids = page.items.map((r) => r[entity.id.field] as string | number);
      const held = await referenced(storage, ids, restricting);
      for (const why of held.values()) because.add(why);
      skipped += held.size;
      const done = await deleteBatch(storage, entity, ids.filter((id) => !held.has(String(id))), because);
      deleted += done.deleted;
      skipped += done.skipped;
    } while (cursor);
    count.deleted += deleted;
    count.skipped = skipped;
    count.skippedBecause = [...because];
    if (deleted === 0 || skipped === 0) break;
  }
  return count;
}

/** The ids among `ids` that records reference with `restrict`, with the first such reference. */
async function referenced(storage: Storage, ids: (string | number)[], restricting: IncomingReference[]): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  for (const ref of restricting) {
    const open = ids.filter((id) => !held.has(String(id)));
    if (open.length === 0) break;
    const asked = new Set(open.map(String));
    let cursor: string | undefined;
    do {
      const page = await storage.list(ref.from.name, { filters: [{ field: ref.field, op: 'in', value: open }], includeDeleted: true, limit: BATCH, cursor, fields: [ref.field] });
      for (const row of page.items) {
        const values = ref.many ? (row[ref.field] as unknown[] | undefined) ?? [] : [row[ref.field]];
        for (const v of values) if (asked.has(String(v)) && !held.has(String(v))) held.set(String(v), `${ref.from.name}.${ref.field}`);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  return held;
}

/**
 * Deletes `ids` in one transaction; if a reference appeared since they were checked (the batch
 * rolls back), deletes them one by one and skips those still referenced.
 */
async function deleteBatch(storage: Storage, entity: Entity, ids: (string | number)[], because: Set<string>): Promise<{ deleted: number; skipped: number }> {
  if (ids.length === 0) return { deleted: 0, skipped: 0 };
  try {
    const deleted = await storage.transaction(async (tx) => {
      let n = 0;
      for (const id of ids) if ((await tx.delete(entity.name, id, { hard: true })) === true) n++;
      return n;
    });
    return { deleted, skipped: 0 };
  } catch (e) {
    if (!(e instanceof ForeignKeyViolationError)) throw e;
  }
  const done = { deleted: 0, skipped: 0 };
  for (const id of ids) {
    try {
      if ((await storage.delete(entity.name, id, { hard: true })) === true) done.deleted++;
    } catch (e) {
      if (!(e instanceof ForeignKeyViolationError)) throw e;
      because.add(`${e.entity}.${e.field}`);
      done.skipped++;
    }
  }
  return done;
}
