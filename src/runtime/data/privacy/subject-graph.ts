import type { Entity, SystemModel } from '../../../model/system-model.ts';
import { entityOf } from '../../../adapters/storage/storage.ts';

/**
 * Which records belong to a data subject (the entity of the spec's `erasable` rule), worked out
 * once per model from the entities alone. A record belongs to the subject when it is
 *
 * - the subject record itself;
 * - owned: its owning field holds the subject's id. On the user entity that is the entity's
 *   `owner` field (the same rule `scope: own` applies); on another subject entity, the entity's
 *   first required single reference to it;
 * - owned through a parent: it references, through a single reference field, a record that
 *   belongs to the subject (Visit.link -> Link.owner), to any depth.
 *
 * Records that merely point at the subject through another reference field (Refund.issuedBy ->
 * the support agent) are the subject's business only as far as that reference goes: they are
 * `references`, exported without personal fields and left to the reference's `onDelete` on erasure.
 *
 * @example
 * const graph = subjectGraph(model, 'User');
 * graph.owned   // [{ entity: Link, field: 'owner' }]
 * graph.through // [{ entity: Visit, fields: [{ field: 'link', parent: 'Link' }] }]
 */
export interface SubjectGraph {
  subject: Entity;
  owned: { entity: Entity; field: string }[];
  /** In an order where each entity's parents come first (cycles: in declaration order). */
  through: { entity: Entity; fields: { field: string; parent: string }[] }[];
  references: { entity: Entity; field: string; many: boolean }[];
}

/** The graph of records belonging to a subject of entity `subjectName`. */
export function subjectGraph(model: SystemModel, subjectName: string): SubjectGraph {
  const subject = entityOf(model, subjectName);
  const owned = model.entities.flatMap((entity) => {
    if (entity.name === subject.name) return [];
    const field = owningField(model, entity, subject);
    return field ? [{ entity, field }] : [];
  });
  const members = new Set(owned.map((o) => o.entity.name));
  const throughNames: string[] = [];
  // Grow the set until no entity joins: an entity joins when a single reference points at a member.
  for (let grew = true; grew;) {
    grew = false;
    for (const entity of model.entities) {
      if (entity.name === subject.name || members.has(entity.name)) continue;
      if (singleRefs(entity).some((f) => members.has(f.ref!.entity) && f.ref!.entity !== entity.name)) {
        members.add(entity.name);
        throughNames.push(entity.name);
        grew = true;
      }
    }
  }
  const through = throughNames.map((name) => {
    const entity = entityOf(model, name);
    return { entity, fields: singleRefs(entity).filter((f) => members.has(f.ref!.entity)).map((f) => ({ field: f.name, parent: f.ref!.entity })) };
  });
  const owning = new Map(owned.map((o) => [o.entity.name, o.field]));
  const references = model.entities.flatMap((entity) => entity.fields
    .filter((f) => f.ref?.entity === subject.name && owning.get(entity.name) !== f.name)
    .map((f) => ({ entity, field: f.name, many: f.ref!.many })));
  return { subject, owned, through, references };
}

const graphs = new WeakMap<SystemModel, Map<string, SubjectGraph>>();

/** {@link subjectGraph}, built once per model and subject. */
export function graphOf(model: SystemModel, subjectName: string): SubjectGraph {
  const byName = graphs.get(model) ?? new Map<string, SubjectGraph>();
  graphs.set(model, byName);
  let graph = byName.get(subjectName);
  if (!graph) byName.set(subjectName, (graph = subjectGraph(model, subjectName)));
  return graph;
}

/** The field of `entity` naming the subject a record belongs to, if any. */
function owningField(model: SystemModel, entity: Entity, subject: Entity): string | undefined {
  if (subject.name === model.api.auth.userEntity) return entity.owner;
  return singleRefs(entity).find((f) => f.ref!.entity === subject.name && f.required)?.name;
}

function singleRefs(entity: Entity) {
  return entity.fields.filter((f) => f.type === 'ref' && f.ref && !f.ref.many);
}

/** The `entity.field` references pointing at each entity: who would be hit when one of its records is deleted. */
export interface IncomingReference {
  from: Entity;
  field: string;
  many: boolean;
  onDelete: 'cascade' | 'restrict' | 'set-null';
}

/** Incoming references by target entity name. */
export function incomingReferences(model: SystemModel): Map<string, IncomingReference[]> {
  const incoming = new Map<string, IncomingReference[]>();
  for (const from of model.entities) {
    for (const f of from.fields) {
      if (!f.ref) continue;
      const list = incoming.get(f.ref.entity) ?? [];
      list.push({ from, field: f.name, many: f.ref.many, onDelete: f.ref.onDelete });
      incoming.set(f.ref.entity, list);
    }
  }
  return incoming;
}
