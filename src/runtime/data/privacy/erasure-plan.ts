import type { RecordStore, Row } from '../../../adapters/storage/storage.ts';
import type { Entity, SystemModel } from '../../../model/system-model.ts';
import { entityOf } from '../../../adapters/storage/storage.ts';
import type { Anonymization } from './anonymize.ts';
import { incomingReferences, type IncomingReference } from './subject-graph.ts';
import { idOf, type SubjectRecords } from './subject-records.ts';

/**
 * What erasing a subject does to each of its records, decided before anything is written:
 *
 * 1. Records of an entity under a `retention` rule stay (GDPR Art. 17(3)(b): the law requires
 *    them); so do their parts, records with a `cascade` reference to a retained record (an order's
 *    items live and die with the order). Their `pii` fields that are not also `sensitive` are
 *    anonymized; `pii`+`sensitive` fields (health, card data) are the regulated content the
 *    retention exists for and stay. Records of immutable entities stay unchanged.
 * 2. Every other record of the subject is deleted, unless deleting it would delete or break a record
 *    that stays: a record that stays references it with `restrict`, or with `cascade` (the database
 *    would delete the staying record with it), or an immutable record references it with `set-null`.
 *    Such a record stays as an anchor, with all its `pii` fields anonymized, soft-deleted when its
 *    entity has soft delete. Records of others hit by a `cascade` are deleted with it, as the spec
 *    declares, unless they are retained or immutable (then the subject's record stays instead).
 *    This is repeated until nothing changes: an anchor can in turn anchor what it references.
 *
 * Deletions are ordered so that a record is deleted before the records it references; each is an
 * explicit delete through the record store (so the audit log records each one), none is left to
 * the database's cascade.
 */
export interface ErasurePlan {
  /** Records to hard-delete, referencing records before the records they reference. */
  deletions: { entity: Entity; record: Row }[];
  kept: KeptRecord[];
}

/** A record that stays, and what happens to it. */
export interface KeptRecord {
  entity: Entity;
  record: Row;
  reason: string;
  /** Which personal fields are anonymized; `none` for immutable entities. */
  anonymize: Anonymization | 'none';
  /** Soft-delete it too: it stays only as a reference target. */
  softDelete: boolean;
}

type Key = string;
const keyOf = (entity: Entity, row: Row): Key => `${entity.name}\u0000${idOf(entity, row)}`;

/** Ids per `in` filter and records per page when looking up referencing records. */
const CHUNK = 500;

/** Plans the erasure of `records` (read inside the erasure's transaction `store`). */
export async function planErasure(store: RecordStore, model: SystemModel, records: SubjectRecords): Promise<ErasurePlan> {
  const policy = new EntityPolicy(model);
  const kept: KeptRecord[] = [];
  const candidates = new Map<Key, { entity: Entity; record: Row }>();
  const belonging = new Set<Key>();
  for (const [name, rows] of records.belonging) {
    const entity = entityOf(model, name);
    for (const record of rows) {
      belonging.add(keyOf(entity, record));
      const reason = policy.retainedBecause(entity, record);
      if (reason) kept.push({ entity, record, reason, anonymize: policy.immutable.has(name) ? 'none' : 'pii-not-sensitive', softDelete: false });
      else if (policy.immutable.has(name)) kept.push({ entity, record, reason: `${name} is immutable: its records are never changed or deleted, so they stay until a retention rule purges them`, anonymize: 'none', softDelete: false });
      else candidates.set(keyOf(entity, record), { entity, record });
    }
  }

  const referencers = new ReferencerLookup(store);
  const anchors = new Map<Key, string>();
  for (;;) {
    const closure = await deletionClosure(model, policy, referencers, candidates, anchors, belonging);
    if (closure.blocked.size === 0) {
      for (const [key, reason] of anchors) {
        const { entity, record } = candidates.get(key)!;
        const softDelete = entity.softDelete && record.deletedAt == null;
        kept.push({ entity, record, reason: entity.softDelete ? `${reason}; soft-deleted, so the API no longer serves it` : reason, anonymize: 'all-pii', softDelete });
      }
      return { deletions: deletionOrder(closure), kept };
    }
    for (const [origin, reason] of closure.blocked) if (!anchors.has(origin)) anchors.set(origin, reason);
  }
}

/** Entity-level facts: retention rules, immutability, and which entities are parts of retained ones. */
class EntityPolicy {
  readonly retention = new Map<string, string>();
  readonly immutable = new Set<string>();
  /** Non-retained entities whose cascade references to these fields make a record part of a retained one. */
  readonly partOf = new Map<string, { field: string; parent: string }[]>();

  constructor(model: SystemModel) {
    for (const rule of model.requirements.data) {
      if (rule.rule === 'retention') this.retention.set(rule.entity, rule.keepText);
      if (rule.rule === 'immutable') for (const e of rule.entities) this.immutable.add(e);
    }
    for (let grew = true; grew;) {
      grew = false;
      for (const entity of model.entities) {
        if (this.retention.has(entity.name)) continue;
        const fields = entity.fields
          .filter((f) => f.ref && !f.ref.many && f.ref.onDelete === 'cascade' && (this.retention.has(f.ref.entity) || this.partOf.has(f.ref.entity)))
          .map((f) => ({ field: f.name, parent: f.ref!.entity }));
        if (fields.length > (this.partOf.get(entity.name)?.length ?? 0)) {
          this.partOf.set(entity.name, fields);
          grew = true;
        }
      }
    }
  }

  /** Why `record` stays under a retention rule, if it does. */
  retainedBecause(entity: Entity, record: Row): string | undefined {
    const keep = this.retention.get(entity.name);
    if (keep) return `retention: ${entity.name} records are kept ${keep} (GDPR Art. 17(3))`;
    const part = this.partOf.get(entity.name)?.find((p) => record[p.field] !== null && record[p.field] !== undefined);
    return part ? `part of a retained ${part.parent} (${entity.name}.${part.field} is deleted with it, onDelete cascade)` : undefined;
  }

  /** Whether records of `name` must not be deleted as a side effect. */
  protects(name: string): boolean {
    return this.retention.has(name) || this.partOf.has(name) || this.immutable.has(name);
  }
}

interface Closure {
  nodes: Map<Key, { entity: Entity; record: Row }>;
  /** Referenced key -> keys of records in the closure referencing it. */
  referencedBy: Map<Key, Set<Key>>;
  /** Candidate (origin) -> why it cannot be deleted. */
  blocked: Map<Key, string>;
}

/**
 * What deleting every candidate that is not an anchor would delete, following cascades into
 * records of others, and which candidates that would make impossible.
 */
async function deletionClosure(
  model: SystemModel, policy: EntityPolicy, referencers: ReferencerLookup,
  candidates: Map<Key, { entity: Entity; record: Row }>, anchors: Map<Key, string>, belonging: Set<Key>,
): Promise<Closure> {
  const incoming = incomingReferences(model);
  const nodes = new Map<Key, { entity: Entity; record: Row }>();
  const origin = new Map<Key, Key>();
  for (const [key, node] of candidates) {
    if (anchors.has(key)) continue;
    nodes.set(key, node);
    origin.set(key, key);
  }
  const referencedBy = new Map<Key, Set<Key>>();
  const blocked = new Map<Key, string>();
  let frontier = [...nodes.keys()];
  while (frontier.length) {
    const next: Key[] = [];
    const byEntity = new Map<string, Key[]>();
    for (const key of frontier) byEntity.set(nodes.get(key)!.entity.name, [...(byEntity.get(nodes.get(key)!.entity.name) ?? []), key]);
    for (const [name, keys] of byEntity) {
      for (const ref of incoming.get(name) ?? []) {
        const found = await referencers.find(ref, keys.map((k) => nodes.get(k)!.record[nodes.get(k)!.entity.id.field]));
        for (const key of keys) {
          const target = nodes.get(key)!;
          for (const row of found.get(idOf(target.entity, target.record)) ?? []) {
            const rowKey = keyOf(ref.from, row);
            if (rowKey === key) continue;
            if (nodes.has(rowKey)) { link(referencedBy, key, rowKey); continue; }
            const changesImmutable = policy.immutable.has(ref.from.name);
            // The staying record only loses the reference (set-null, or a join row of a many-to-many field).
            if ((ref.onDelete === 'set-null' || (ref.many && ref.onDelete === 'cascade')) && !changesImmutable) continue;
            if (ref.onDelete === 'cascade' && !ref.many && !belonging.has(rowKey) && !policy.protects(ref.from.name)) {
              nodes.set(rowKey, { entity: ref.from, record: row });
              origin.set(rowKey, origin.get(key)!);
              link(referencedBy, key, rowKey);
              next.push(rowKey);
              continue;
            }
            const root = origin.get(key)!;
            if (!blocked.has(root)) blocked.set(root, blockReason(ref, target.entity, root === key));
          }
        }
      }
    }
    frontier = next;
  }
  return { nodes, referencedBy, blocked };
}

function blockReason(ref: IncomingReference, target: Entity, direct: boolean): string {
  const by = `${ref.from.name}.${ref.field}, onDelete ${ref.onDelete}`;
  return direct
    ? `${ref.from.name} records that stay reference it (${by})`
    : `its deletion would cascade to ${target.name} records, which records that stay reference (${by})`;
}

function link(referencedBy: Map<Key, Set<Key>>, target: Key, referencer: Key): void {
  const set = referencedBy.get(target) ?? new Set<Key>();
  set.add(referencer);
  referencedBy.set(target, set);
}

/** The closure's records, each after every record of the closure that references it (cycles: appended as they are). */
function deletionOrder(closure: Closure): { entity: Entity; record: Row }[] {
  const waiting = new Map<Key, number>();
  const references = new Map<Key, Key[]>();
  for (const [target, by] of closure.referencedBy) {
    waiting.set(target, by.size);
    for (const k of by) references.set(k, [...(references.get(k) ?? []), target]);
  }
  const order: Key[] = [];
  const done = new Set<Key>();
  const ready = [...closure.nodes.keys()].filter((k) => !waiting.get(k));
  while (ready.length) {
    const key = ready.shift()!;
    order.push(key);
    done.add(key);
    for (const target of references.get(key) ?? []) {
      const left = waiting.get(target)! - 1;
      waiting.set(target, left);
      if (left === 0) ready.push(target);
    }
  }
  for (const key of closure.nodes.keys()) if (!done.has(key)) order.push(key);
  return order.map((k) => closure.nodes.get(k)!);
}

/** Records referencing given records through one reference, soft-deleted ones included, cached per reference and id. */
class ReferencerLookup {
  private readonly cache = new Map<string, Map<string, Row[]>>();

  constructor(private readonly store: RecordStore) {}

  async find(ref: IncomingReference, ids: unknown[]): Promise<Map<string, Row[]>> {
    const cacheKey = `${ref.from.name}.${ref.field}`;
    const known = this.cache.get(cacheKey) ?? new Map<string, Row[]>();
    this.cache.set(cacheKey, known);
    const missing = [...new Set(ids.filter((id) => !known.has(String(id))))];
    for (const id of missing) known.set(String(id), []);
    for (let i = 0; i < missing.length; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      const asked = new Set(chunk.map(String));
      let cursor: string | undefined;
      do {
        const page = await this.store.list(ref.from.name, { filters: [{ field: ref.field, op: 'in', value: chunk }], includeDeleted: true, limit: CHUNK, cursor });
        for (const row of page.items) {
          const values = ref.many ? (row[ref.field] as unknown[] | undefined) ?? [] : [row[ref.field]];
          for (const v of values) if (asked.has(String(v))) known.get(String(v))!.push(row);
        }
        cursor = page.nextCursor;
      } while (cursor);
    }
    return known;
  }
}
