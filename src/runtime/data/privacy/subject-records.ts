import type { Filter, RecordStore, Row } from '../../../adapters/storage/storage.ts';
import type { Entity } from '../../../model/system-model.ts';
import type { SubjectGraph } from './subject-graph.ts';

/**
 * The records of one data subject, read through a record store (a transaction for erasure, the
 * storage for export) following a {@link SubjectGraph}. Soft-deleted records are included: they
 * are still stored, so they are still the subject's data.
 */
export interface SubjectRecords {
  subject: Row;
  /** Records belonging to the subject, by entity name (the subject record under its own entity). */
  belonging: Map<string, Row[]>;
  /** Records of others that reference the subject, by entity name (none of them also belonging). */
  referencing: Map<string, Row[]>;
  /** Entities whose records stopped at `limitPerEntity`, and those reached through them. */
  truncated: string[];
}

/** Records per page read. */
const PAGE = 500;
/** Ids per `in` filter. */
const CHUNK = 500;

/**
 * Reads the subject record `subjectId` and everything belonging to or referencing it. Undefined
 * when the subject record does not exist. With `limitPerEntity`, at most that many records are
 * read per entity (export); erasure reads everything.
 *
 * @example
 * const found = await collectSubjectRecords(tx, subjectGraph(model, 'User'), userId);
 * found?.belonging.get('Link') // the user's links, soft-deleted ones included
 */
export async function collectSubjectRecords(
  store: RecordStore, graph: SubjectGraph, subjectId: string | number, options: { limitPerEntity?: number } = {},
): Promise<SubjectRecords | undefined> {
  const subject = await store.get(graph.subject.name, subjectId, { includeDeleted: true });
  if (!subject) return undefined;
  const limit = options.limitPerEntity ?? Number.POSITIVE_INFINITY;
  const truncated = new Set<string>();
  const belonging = new Map<string, Map<string, Row>>([[graph.subject.name, new Map([[idOf(graph.subject, subject), subject]])]]);
  const add = (entity: Entity, rows: Row[], into: Map<string, Map<string, Row>>): number => {
    const known = into.get(entity.name) ?? new Map<string, Row>();
    into.set(entity.name, known);
    let added = 0;
    for (const row of rows) {
      if (known.size >= limit) { truncated.add(entity.name); break; }
      const key = idOf(entity, row);
      if (!known.has(key)) { known.set(key, row); added++; }
    }
    return added;
  };
  const read = (entity: Entity, filter: Filter) => readAll(store, entity, filter, limit);

  const id = subject[graph.subject.id.field];
  const entities = new Map([graph.subject, ...graph.owned.map((o) => o.entity), ...graph.through.map((t) => t.entity)].map((e) => [e.name, e]));
  for (const { entity, field } of graph.owned) add(entity, await read(entity, { field, op: 'eq', value: id }), belonging);

  // Owned through parents: repeat until no new record joins (reference chains and cycles of any depth).
  const asked = new Map<string, Set<string>>();
  for (let grew = true; grew;) {
    grew = false;
    for (const { entity, fields } of graph.through) {
      for (const { field, parent } of fields) {
        const seen = asked.get(`${entity.name}.${field}`) ?? new Set<string>();
        asked.set(`${entity.name}.${field}`, seen);
        const parentIds = [...(belonging.get(parent)?.values() ?? [])].map((r) => r[entities.get(parent)!.id.field]).filter((v) => !seen.has(String(v)));
        for (const v of parentIds) seen.add(String(v));
        for (let i = 0; i < parentIds.length; i += CHUNK) {
          const rows = await read(entity, { field, op: 'in', value: parentIds.slice(i, i + CHUNK) });
          if (add(entity, rows, belonging) > 0) grew = true;
        }
      }
    }
  }

  // Records reached through a cut parent may be missing too.
  for (let grew = true; grew;) {
    grew = false;
    for (const { entity, fields } of graph.through) {
      if (!truncated.has(entity.name) && fields.some((f) => truncated.has(f.parent))) { truncated.add(entity.name); grew = true; }
    }
  }

  const referencing = new Map<string, Map<string, Row>>();
  for (const { entity, field } of graph.references) {
    const own = belonging.get(entity.name);
    const rows = (await read(entity, { field, op: 'eq', value: id })).filter((r) => !own?.has(idOf(entity, r)));
    add(entity, rows, referencing);
  }
  const values = (m: Map<string, Map<string, Row>>) => new Map([...m].filter(([, rows]) => rows.size > 0).map(([name, rows]) => [name, [...rows.values()]]));
  return { subject, belonging: values(belonging), referencing: values(referencing), truncated: [...truncated] };
}

/** A record's id as a map key. */
export function idOf(entity: Entity, row: Row): string {
  return String(row[entity.id.field]);
}

/** Every record of `entity` matching `filter` (soft-deleted ones included), page by page, up to `limit`. */
async function readAll(store: RecordStore, entity: Entity, filter: Filter, limit: number): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  do {
    // One more than the limit, so a cut is noticed.
    const page = await store.list(entity.name, { filters: [filter], includeDeleted: true, limit: Math.min(PAGE, limit - rows.length + 1), cursor });
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && rows.length <= limit);
  return rows;
}
