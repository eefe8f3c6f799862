import type { RecordStore, Row } from '../../../adapters/storage/storage.ts';
import type { Entity, SystemModel } from '../../../model/system-model.ts';
import { entityOf } from '../../../adapters/storage/storage.ts';
import { graphOf } from './subject-graph.ts';
import { collectSubjectRecords } from './subject-records.ts';

/** Records per entity an export holds unless told otherwise. */
export const DEFAULT_EXPORT_LIMIT = 10_000;

/** A data subject's export (GDPR Art. 15 and 20); the body of the export routes' answer. */
export interface SubjectExport {
  subject: { entity: string; id: string };
  exportedAt: string;
  /** The subject's records by entity (the subject record under its own entity), personal fields included. */
  records: Record<string, Row[]>;
  /** Records of others that reference the subject, by entity, without their personal fields. */
  referencing: Record<string, Row[]>;
  /** Fields left out: of which group's records, which entity, and why. */
  omitted: { group: 'records' | 'referencing'; entity: string; fields: string[]; why: string }[];
  /** Entities with more records than the export holds: the export stopped at `limitPerEntity` records of each. */
  truncated: string[];
  limitPerEntity: number;
}

const SECRET = 'marked sensitive but not pii: a secret or payment credential of the service, not data about the person';
const OTHERS = "personal fields of a record that is someone else's (GDPR Art. 15(4))";

/**
 * Everything stored about subject `subjectId` of entity `subject`: the subject record, every record
 * belonging to it (owned, or owned through parents), soft-deleted ones included, with their personal
 * fields; and the records of others that reference it, without theirs. Passwords, refresh tokens and
 * API keys live in archspec's own tables and are never part of it; fields marked `sensitive` but not
 * `pii` (processor tokens, card digits) are left out too. At most `limitPerEntity` records per entity
 * (default {@link DEFAULT_EXPORT_LIMIT}); `truncated` names the entities cut. Undefined when the
 * subject does not exist.
 *
 * @example
 * const data = await exportSubject(storage, model, 'User', caller.userId);
 * data?.records.Link // the caller's links
 */
export async function exportSubject(
  store: RecordStore, model: SystemModel, subject: string, subjectId: string | number,
  options: { limitPerEntity?: number; now?: Date } = {},
): Promise<SubjectExport | undefined> {
  const graph = graphOf(model, subject);
  const limitPerEntity = options.limitPerEntity ?? DEFAULT_EXPORT_LIMIT;
  const found = await collectSubjectRecords(store, graph, subjectId, { limitPerEntity });
  if (!found) return undefined;
  const omitted: SubjectExport['omitted'] = [];
  const shown = (group: 'records' | 'referencing', rows: Map<string, Row[]>, hide: (entity: Entity) => string[], why: string): Record<string, Row[]> => {
    const out: Record<string, Row[]> = {};
    for (const [name, list] of rows) {
      const hidden = hide(entityOf(model, name));
      if (hidden.length) omitted.push({ group, entity: name, fields: hidden, why });
      out[name] = list.map((r) => Object.fromEntries(Object.entries(r).filter(([field]) => !hidden.includes(field))));
    }
    return out;
  };
  const records = shown('records', found.belonging, (e) => e.fields.filter((f) => f.sensitive && !f.pii).map((f) => f.name), SECRET);
  const referencing = shown('referencing', found.referencing, (e) => e.fields.filter((f) => f.sensitive || f.pii).map((f) => f.name), OTHERS);
  return {
    subject: { entity: graph.subject.name, id: String(found.subject[graph.subject.id.field]) },
    exportedAt: (options.now ?? new Date()).toISOString(),
    records,
    referencing,
    omitted,
    truncated: found.truncated,
    limitPerEntity,
  };
}
