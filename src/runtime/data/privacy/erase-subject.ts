import { sql, type Kysely } from 'kysely';
import { entityOf, type Storage } from '../../../adapters/storage/storage.ts';
import { IDEMPOTENCY_TABLE } from '../../../adapters/storage/system-tables/idempotency-tables.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { withPurpose } from '../../request-context.ts';
import { anonymizingPatch } from './anonymize.ts';
import { planErasure } from './erasure-plan.ts';
import { graphOf } from './subject-graph.ts';
import { collectSubjectRecords, idOf } from './subject-records.ts';

/** What an erasure did, per entity; the body of the erasure routes' 200 answer. */
export interface ErasureSummary {
  subject: { entity: string; id: string };
  erasedAt: string;
  /** The subject record: deleted, or kept (anonymized) because records that stay reference it. */
  subjectRecord: 'deleted' | 'anonymized';
  /** Per entity: records deleted, records kept (and how many of those were anonymized), and why they stay. */
  entities: Record<string, { deleted: number; kept: number; anonymized: number; keptBecause: string[] }>;
  /** Whether the account's password was removed and its refresh tokens and API keys revoked (the subject is the user entity). */
  credentialsRemoved: boolean;
  notes: string[];
}

/**
 * Erases data subject `subjectId` of entity `subject` (the spec's `erasable` entity) in one
 * transaction, as `planErasure` decides: records are deleted or kept and anonymized, the subject
 * record is deleted when nothing that stays references it and anonymized otherwise, and, when the
 * subject is the user entity, the account's password is removed and its refresh tokens and API keys
 * revoked (it cannot sign in again). Runs as the work in progress (so audit rows name the caller)
 * with purpose `erasure`. Undefined when the subject does not exist.
 *
 * @example
 * const summary = await eraseSubject(storage, model, 'User', caller.userId);
 * summary?.entities.Link // { deleted: 2, kept: 1, anonymized: 0, keptBecause: ['records that stay reference it (Visit.link, onDelete cascade)'] }
 */
export async function eraseSubject(storage: Storage, model: SystemModel, subject: string, subjectId: string | number, now: () => Date = () => new Date()): Promise<ErasureSummary | undefined> {
  const graph = graphOf(model, subject);
  return withPurpose('erasure', { source: 'cli', actor: 'erasure' }, () => storage.transaction(async (tx) => {
    const records = await collectSubjectRecords(tx, graph, subjectId);
    if (!records) return undefined;
    const plan = await planErasure(tx, model, records);
    const at = now();
    const entities: ErasureSummary['entities'] = {};
    const tally = (name: string) => (entities[name] ??= { deleted: 0, kept: 0, anonymized: 0, keptBecause: [] });
    const notes: string[] = [];
    const belonging = new Set([...records.belonging].flatMap(([name, rows]) => rows.map((r) => `${name}\u0000${idOf(entityOf(model, name), r)}`)));
    let othersDeleted = 0;

    for (const { entity, record } of plan.deletions) {
      if ((await tx.delete(entity.name, record[entity.id.field] as string | number, { hard: true })) === true) tally(entity.name).deleted++;
      if (!belonging.has(`${entity.name}\u0000${idOf(entity, record)}`)) othersDeleted++;
    }
    for (const kept of plan.kept) {
      const counts = tally(kept.entity.name);
      counts.kept++;
      if (!counts.keptBecause.includes(kept.reason)) counts.keptBecause.push(kept.reason);
      const id = kept.record[kept.entity.id.field] as string | number;
      if (kept.anonymize !== 'none') {
        const { patch, unvalidated } = anonymizingPatch(model, kept.entity, kept.record, kept.anonymize);
        for (const field of unvalidated) notes.push(`${kept.entity.name}.${field}: no neutral value passes its validation; wrote a marker anyway`);
        if (Object.keys(patch).length > 0) {
          await tx.update(kept.entity.name, id, patch, { includeDeleted: true });
          counts.anonymized++;
        }
      }
      if (kept.softDelete) await tx.delete(kept.entity.name, id);
    }
    if (othersDeleted > 0) notes.push(`${othersDeleted} record(s) of others were deleted with the subject's records, as their references declare (onDelete cascade)`);

    const isAccount = graph.subject.name === model.api.auth.userEntity;
    const subjectKey = String(records.subject[graph.subject.id.field]);
    if (isAccount) {
      await tx.removeCredentialsOfUser(subjectKey, at.toISOString());
      const forgotten = await forgetStoredAnswers(tx.kysely, subjectKey);
      if (forgotten > 0) notes.push(`${forgotten} stored Idempotency-Key answer(s) of the account were deleted`);
    }
    const subjectDeleted = plan.deletions.some((d) => d.entity.name === graph.subject.name && idOf(d.entity, d.record) === idOf(graph.subject, records.subject));
    return {
      subject: { entity: graph.subject.name, id: idOf(graph.subject, records.subject) },
      erasedAt: at.toISOString(),
      subjectRecord: subjectDeleted ? 'deleted' : 'anonymized',
      entities,
      credentialsRemoved: isAccount,
      notes,
    } satisfies ErasureSummary;
  }));
}

/**
 * Stored Idempotency-Key answers hold copies of the records they answered with (a sign-up's answer
 * holds the email) for up to a day: the account's own keys go, and so do anonymous ones whose answer
 * names the account's id (its sign-up).
 */
async function forgetStoredAnswers(db: Kysely<any>, userId: string): Promise<number> {
  const pattern = `%"${userId.replace(/[\\%_]/g, (c) => `\\${c}`)}"%`;
  const result = await db.deleteFrom(IDEMPOTENCY_TABLE)
    .where((eb) => eb.or([eb('caller', '=', userId), eb.and([eb('caller', '=', 'anonymous'), sql<boolean>`${sql.ref('responseBody')} like ${pattern} escape '\\'`])]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
