import type { RecordStore, Row } from '../../../adapters/storage/storage.ts';
import type { Entity, SystemModel } from '../../../model/system-model.ts';

/**
 * What the database does on its own when a record is hard-deleted: references declared
 * `onDelete: cascade` delete the records pointing at it (and so on down), `set-null` ones clear the
 * reference. The audit log and the immutable guard must see those writes too, so before a delete
 * the records they touch are read here. Only relations that can reach an audited or immutable
 * entity are followed; many-to-many references (join rows) are not records and are not followed.
 */

/** A record the database will delete (cascade) or change (set-null) along with the one deleted. */
export interface CascadeEffect {
  entity: Entity;
  record: Row;
  /** For set-null: the reference field that becomes null. */
  nulledField?: string;
}

interface Edge {
  from: Entity;
  field: string;
  onDelete: 'cascade' | 'set-null';
}

/** Ids per `in` filter and records per page while reading the affected records. */
const CHUNK = 500;

/** Finds the records a delete affects, for a set of entities being watched (audited or immutable). */
export class CascadePlanner {
  private readonly edges = new Map<string, Edge[]>();
  private readonly reaches = new Map<string, boolean>();

  constructor(model: SystemModel, private readonly watched: ReadonlySet<string>) {
    for (const from of model.entities) {
      for (const f of from.fields) {
        if (!f.ref || f.ref.many || f.ref.onDelete === 'restrict') continue;
        const list = this.edges.get(f.ref.entity) ?? [];
        list.push({ from, field: f.name, onDelete: f.ref.onDelete });
        this.edges.set(f.ref.entity, list);
      }
    }
  }

  /** Whether deleting a record of `entity` can delete or change a watched record (memoized; cycles end the search). */
  affectsWatched(entity: string, visiting = new Set<string>()): boolean {
    const known = this.reaches.get(entity);
    if (known !== undefined) return known;
    if (visiting.has(entity)) return false;
    visiting.add(entity);
    const result = (this.edges.get(entity) ?? []).some((e) =>
      this.watched.has(e.from.name) || (e.onDelete === 'cascade' && this.affectsWatched(e.from.name, visiting)));
    visiting.delete(entity);
    if (visiting.size === 0) this.reaches.set(entity, result);
    return result;
  }

  /**
   * The watched records that deleting `entity` record `id` through `store` (the delete's
   * transaction, before the delete) will delete or set a reference of, in breadth-first order.
   */
  async effects(store: RecordStore, entity: Entity, id: string | number): Promise<CascadeEffect[]> {
    if (!this.affectsWatched(entity.name)) return [];
    const out: CascadeEffect[] = [];
    const seen = new Set<string>([`${entity.name}:${String(id)}`]);
    const queue: { entity: Entity; ids: (string | number)[] }[] = [{ entity, ids: [id] }];
    while (queue.length) {
      const { entity: parent, ids } = queue.shift()!;
      for (const edge of this.edges.get(parent.name) ?? []) {
        const watched = this.watched.has(edge.from.name);
        const follow = edge.onDelete === 'cascade' && this.affectsWatched(edge.from.name);
        if (!watched && !follow) continue;
        const next: (string | number)[] = [];
        for (const record of await referencing(store, edge, ids)) {
          const childId = record[edge.from.id.field] as string | number;
          if (edge.onDelete === 'set-null') {
            if (watched) out.push({ entity: edge.from, record, nulledField: edge.field });
            continue;
          }
          const key = `${edge.from.name}:${String(childId)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (watched) out.push({ entity: edge.from, record });
          if (follow) next.push(childId);
        }
        if (next.length) queue.push({ entity: edge.from, ids: next });
      }
    }
    return out;
  }
}

/** Every record of `edge.from` whose `edge.field` is one of `ids`, soft-deleted ones included (the database deletes those too). */
async function referencing(store: RecordStore, edge: Edge, ids: (string | number)[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    let cursor: string | undefined;
    do {
      const page = await store.list(edge.from.name, {
        filters: [{ field: edge.field, op: 'in', value: ids.slice(i, i + CHUNK) }],
        limit: CHUNK,
        includeDeleted: true,
        ...(cursor ? { cursor } : {}),
      });
      rows.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return rows;
}
