import type { RecordStore, Row, Storage, Transaction, WriteConflict } from '../../../adapters/storage/storage.ts';
import type { Entity, SystemModel } from '../../../model/system-model.ts';
import { ApiError } from '../../api-error.ts';
import { currentActor, currentRequestId, currentWork } from '../../request-context.ts';
import { imageText, maskRecord, type AuditAction } from './audit-record.ts';
import { AuditJournal } from './audit-journal.ts';
import { retentionAgeField } from '../retention.ts';
import { CascadePlanner } from './cascade-effects.ts';
import { overlay } from './store-overlay.ts';

/**
 * The audit log and immutable entities as a storage wrapper, so every writer is covered: generated
 * CRUD, custom handlers (`ctx.db` is their transaction), event consumers, jobs, the retention purge
 * and erasure all write through the storage this returns.
 */

/** The data rules this wrapper enforces, read once from the model. */
class DataRules {
  readonly audited: ReadonlySet<string>;
  readonly immutable: ReadonlySet<string>;
  readonly cascades: CascadePlanner;
  private readonly entities: Map<string, Entity>;
  /** Retention period per entity (the longest when several rules name it). */
  private readonly keepMs = new Map<string, number>();

  constructor(model: SystemModel) {
    this.audited = new Set(model.requirements.data.flatMap((r) => (r.rule === 'audit' ? r.entities : [])));
    this.immutable = new Set(model.requirements.data.flatMap((r) => (r.rule === 'immutable' ? r.entities : [])));
    this.cascades = new CascadePlanner(model, new Set([...this.audited, ...this.immutable]));
    this.entities = new Map(model.entities.map((e) => [e.name, e]));
    for (const r of model.requirements.data) if (r.rule === 'retention') this.keepMs.set(r.entity, Math.max(r.keepMs, this.keepMs.get(r.entity) ?? 0));
  }

  get active(): boolean {
    return this.audited.size > 0 || this.immutable.size > 0;
  }

  entity(name: string): Entity | undefined {
    return this.entities.get(name);
  }

  /** Whether a write needs the wrapper (and so a transaction): it is audited, guarded, or a delete that cascades into either. */
  governs(operation: 'insert' | 'update' | 'delete', entity: string): boolean {
    if (operation === 'insert') return this.audited.has(entity);
    if (this.audited.has(entity) || this.immutable.has(entity)) return true;
    return operation === 'delete' && this.cascades.affectsWatched(entity);
  }

  /** Whether `record` is older than its entity's retention period (measured as the retention purge measures it). */
  private expired(entity: string, record: Row | undefined): boolean {
    const keep = this.keepMs.get(entity);
    const e = this.entities.get(entity);
    const field = e && retentionAgeField(e);
    const at = field && record ? record[field] : undefined;
    return keep !== undefined && typeof at === 'string' && Date.parse(at) < Date.now() - keep;
  }

  /**
   * Throws `immutable_record` for an update or delete of an immutable record, unless it is a delete
   * at the end of the record's retention: made by the retention purge (work with purpose
   * `retention`), or of a `record` older than its entity's retention period (a job of the spec
   * that expires records itself, like telehealth's expire-clinical-records).
   */
  refuse(entity: string, id: string | number, operation: 'update' | 'delete', how = '', record?: Row): void {
    if (!this.immutable.has(entity)) return;
    if (operation === 'delete' && (currentWork()?.purpose === 'retention' || this.expired(entity, record))) return;
    throw new ApiError('immutable_record', `${entity} ${String(id)} cannot be ${operation === 'update' ? 'changed' : 'deleted'}${how}: ${entity} records are immutable; record a correction as a new ${entity}`);
  }
}

/** One journal entry for a write made now, by whoever is working now. */
function entry(action: AuditAction, entity: string, recordId: unknown, before?: Row, after?: Row) {
  return {
    at: new Date().toISOString(), actor: currentActor(), action, entity, recordId: String(recordId),
    requestId: currentRequestId() ?? null, before: imageText(before), after: imageText(after),
  };
}

const isConflict = (r: unknown): r is WriteConflict => typeof r === 'object' && r !== null && 'conflict' in r;

/** The record operations of one transaction with the rules applied; audit rows go to `journal`. */
function governedStore(tx: Transaction, rules: DataRules, journal: AuditJournal): Transaction {
  const overrides: Pick<RecordStore, 'insert' | 'update' | 'delete'> = {
    async insert(entity, values) {
      const record = await tx.insert(entity, values);
      const e = rules.audited.has(entity) ? rules.entity(entity) : undefined;
      if (e) journal.add(entry('create', entity, record[e.id.field], undefined, maskRecord(e, record)));
      return record;
    },
    async update(entity, id, patch, options) {
      rules.refuse(entity, id, 'update');
      const e = rules.audited.has(entity) ? rules.entity(entity) : undefined;
      if (!e) return tx.update(entity, id, patch, options);
      // The before image is read in the transaction and locked (PostgreSQL), so it is the version the update changes.
      const before = await tx.get(entity, id, { includeDeleted: true, forUpdate: true });
      const result = await tx.update(entity, id, patch, options);
      if (before && result && !isConflict(result)) journal.add(entry('update', entity, id, maskRecord(e, before), maskRecord(e, result, before)));
      return result;
    },
    async delete(entity, id, options) {
      const e = rules.entity(entity);
      if (!e || !rules.governs('delete', entity)) return tx.delete(entity, id, options);
      // Lock the record first: on PostgreSQL a concurrent insert of a record referencing it waits
      // (its foreign-key check needs a share lock), so the cascade read below misses no record.
      const before = await tx.get(entity, id, { includeDeleted: true, forUpdate: true });
      if (!before) return tx.delete(entity, id, options);
      rules.refuse(entity, id, 'delete', '', before);
      // A soft delete is an update of deletedAt: the database cascades nothing.
      const soft = e.softDelete && options?.hard !== true;
      const effects = soft ? [] : await rules.cascades.effects(tx, e, id);
      for (const effect of effects) {
        const childId = effect.record[effect.entity.id.field] as string | number;
        rules.refuse(effect.entity.name, childId, effect.nulledField ? 'update' : 'delete', ` by deleting ${entity} ${String(id)}`, effect.record);
      }
      const result = await tx.delete(entity, id, options);
      if (result !== true) return result;
      if (rules.audited.has(entity)) {
        const after = soft ? await tx.get(entity, id, { includeDeleted: true }) : undefined;
        journal.add(entry('delete', entity, id, maskRecord(e, before), after && maskRecord(e, after, before)));
      }
      for (const { entity: child, record, nulledField } of effects) {
        if (!rules.audited.has(child.name)) continue;
        const childId = record[child.id.field];
        if (nulledField) journal.add(entry('update', child.name, childId, maskRecord(child, record), maskRecord(child, { ...record, [nulledField]: null }, record)));
        else journal.add(entry('delete', child.name, childId, maskRecord(child, record)));
      }
      return result;
    },
  };
  return overlay(tx, overrides);
}

/**
 * `storage` with the model's `audit` and `immutable` data rules applied.
 *
 * Audit: every insert, update and delete of an audited entity adds one `_archspec_audit` row in the
 * same transaction (writes made outside one are wrapped in one): who (`currentActor()`), the request
 * id, and the masked record before and after (see maskRecord). Records the database deletes or
 * changes on its own (`onDelete: cascade` / `set-null` references) get their rows too. The rows
 * are hash-chained and appended when the transaction's work is done (see AuditJournal.flush); a
 * transaction that rolls back leaves none.
 *
 * Immutable: updates and deletes of an immutable entity's records (directly, or through a cascade
 * or set-null reference) throw `ApiError('immutable_record')` (409) before anything is written,
 * except deletes at the end of retention: made under `runAs({ purpose: 'retention' }, ...)` (the
 * retention purge), or of records older than their entity's `retention` rule.
 *
 * Writes through `tx.kysely` (feature tables) are not record writes and are not seen here.
 *
 * @example
 * storage = audited(storage, model);
 * await storage.transaction(async (tx) => tx.update('Link', 'abc', { title: 'x' })); // + one audit row
 */
export function audited(storage: Storage, model: SystemModel): Storage {
  const rules = new DataRules(model);
  if (!rules.active) return storage;
  const transaction = <T>(fn: (tx: Transaction) => Promise<T>): Promise<T> =>
    storage.transaction(async (tx) => {
      const journal = new AuditJournal();
      const result = await fn(governedStore(tx, rules, journal));
      await journal.flush(tx.kysely, storage.engine);
      return result;
    });
  const overrides: Pick<Storage, 'transaction' | 'insert' | 'update' | 'delete'> = {
    transaction,
    insert: (entity, values) => (rules.governs('insert', entity) ? transaction((tx) => tx.insert(entity, values)) : storage.insert(entity, values)),
    update: (entity, id, patch, options) => (rules.governs('update', entity) ? transaction((tx) => tx.update(entity, id, patch, options)) : storage.update(entity, id, patch, options)),
    delete: (entity, id, options) => (rules.governs('delete', entity) ? transaction((tx) => tx.delete(entity, id, options)) : storage.delete(entity, id, options)),
  };
  return overlay(storage, overrides);
}
