import type { Entity, SystemModel } from '../../model/system-model.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import { entityTag, recordKey, recordTag, referrerTag } from './cache-keys.ts';
import type { GuardedCache } from './guarded-cache.ts';

/** One committed write: the record's entity and id, and whether it was deleted. */
export interface Write {
  entity: string;
  id: unknown;
  deleted: boolean;
}

/**
 * Makes committed writes visible: bumps the tags of the written records (their record entries
 * become invalid, and are deleted to free the space) and of their entities (every cached answer
 * computed from that entity becomes invalid). A hard delete also changes records that referenced
 * the deleted one in the database itself (cascade deletes, set-null, many-to-many links), which no
 * storage call names: the entities that can hold such records are invalidated whole.
 */
export class Invalidation {
  /** For each entity, the entities whose records a hard delete of it can change (transitively through cascades). */
  private readonly affectedByDelete = new Map<string, string[]>();

  constructor(private readonly model: SystemModel, private readonly cache: GuardedCache) {
    for (const entity of model.entities) this.affectedByDelete.set(entity.name, [...deleteReach(model, entity)]);
  }

  /** Invalidates everything `writes` changed; resolves when done (failures distrust the cache, see GuardedCache). */
  async committed(writes: Iterable<Write>): Promise<void> {
    const tags = new Set<string>();
    const keys = new Set<string>();
    for (const write of writes) {
      const entity = entityOf(this.model, write.entity);
      tags.add(entityTag(entity.name));
      if (write.id !== undefined && write.id !== null) {
        tags.add(recordTag(entity, write.id));
        keys.add(recordKey(entity, write.id));
      }
      if (write.deleted && !entity.softDelete) {
        for (const affected of this.affectedByDelete.get(entity.name) ?? []) tags.add(entityTag(affected)).add(referrerTag(affected));
      }
    }
    if (!tags.size) return;
    await this.cache.bump([...tags]);
    await Promise.all([...keys].map((key) => this.cache.delete(key, true)));
  }
}

/**
 * The entities whose stored records a hard delete of `entity` can change: those referencing it
 * (single or many references), and through `onDelete: cascade`, those referencing them in turn.
 */
export function deleteReach(model: SystemModel, entity: Entity): Set<string> {
  const reached = new Set<string>();
  const cascaded = new Set<string>([entity.name]);
  const visit = (target: string) => {
    for (const other of model.entities) {
      for (const field of other.fields) {
        if (field.ref?.entity !== target) continue;
        reached.add(other.name);
        // Rows of `other` deleted by the cascade (the database deletes them whatever other.softDelete
        // says) change what references them in turn.
        if (field.ref.onDelete === 'cascade' && !field.ref.many && !cascaded.has(other.name)) {
          cascaded.add(other.name);
          visit(other.name);
        }
      }
    }
  };
  visit(entity.name);
  return reached;
}
