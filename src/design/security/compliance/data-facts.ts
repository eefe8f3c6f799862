import type { DataRule, SystemModel } from '../../../model/system-model.ts';
import { isAre, listText, outside, specDuration, type Evidence } from './evidence.ts';

type RuleOf<K extends DataRule['rule']> = Extract<DataRule, { rule: K }>;

/** The data rules of one kind, in spec order. */
export function rulesOf<K extends DataRule['rule']>(model: SystemModel, rule: K): RuleOf<K>[] {
  return model.requirements.data.filter((r): r is RuleOf<K> => r.rule === rule);
}

/** `Entity.field` names of the fields marked pii, sensitive, and either. */
export function personalFields(model: SystemModel): { pii: string[]; sensitive: string[]; personal: string[] } {
  const all = model.entities.flatMap((e) => e.fields.map((f) => ({ name: `${e.name}.${f.name}`, f })));
  return {
    pii: all.filter((x) => x.f.pii).map((x) => x.name),
    sensitive: all.filter((x) => x.f.sensitive).map((x) => x.name),
    personal: all.filter((x) => x.f.pii || x.f.sensitive).map((x) => x.name),
  };
}

/** What a spec with no field marked pii or sensitive lacks: nothing about personal data can be checked. */
export const UNMARKED: Evidence = { needs: 'no field is marked pii or sensitive: mark personal data pii: true so its protection can be checked' };

/** Entities holding at least one pii or sensitive field. */
export function personalEntities(model: SystemModel): string[] {
  return model.entities.filter((e) => e.fields.some((f) => f.pii || f.sensitive)).map((e) => e.name);
}

/** Entities whose records belong to a data subject: the erasable ones, else the user entity. */
export function subjectEntities(model: SystemModel): string[] {
  const erasable = rulesOf(model, 'erasable').map((r) => r.entity);
  return erasable.length ? erasable : [model.api.auth.userEntity];
}

/** Whether `which` fields (personal = pii or sensitive) are covered by encrypted-at-rest rules. */
export function encryptionAtRest(model: SystemModel, which: 'personal' | 'sensitive'): Evidence[] {
  const target = personalFields(model)[which];
  if (target.length === 0) {
    return [which === 'sensitive'
      ? { needs: 'no field is marked sensitive: mark stored secrets and cardholder data sensitive: true so their encryption can be checked' }
      : UNMARKED];
  }
  const encrypted = new Set(model.security.encryption.fields);
  const covered = target.filter((f) => encrypted.has(f));
  const uncovered = target.filter((f) => !encrypted.has(f));
  const out: Evidence[] = [];
  if (covered.length) out.push({ has: `requirements.data: encrypted-at-rest ${covered.join(', ')} (${model.security.encryption.algorithm})` });
  if (uncovered.length) {
    const what = which === 'sensitive' ? 'marked sensitive' : 'personal data';
    out.push({ needs: `${listText(uncovered)} ${isAre(uncovered)} ${what} but not encrypted at rest: add ${uncovered.length === 1 ? 'it' : 'them'} to the encrypted-at-rest rule` });
  }
  return out;
}

/** Encryption in transit, as the spec states (or archspec defaults) it. */
export function transitEncryption(model: SystemModel): Evidence {
  return { has: `security.encryption.inTransit: ${model.security.encryption.inTransit}` };
}

/** Where the field-encryption key comes from. */
export function keySource(model: SystemModel): Evidence {
  const { algorithm, key } = model.security.encryption;
  return { has: `security.encryption: ${algorithm}, key from ${key}` };
}

/** The personal data the spec marks, field by field. */
export function personalDataInventory(model: SystemModel): Evidence {
  const { pii, sensitive } = personalFields(model);
  if (pii.length + sensitive.length === 0) return UNMARKED;
  const parts = [pii.length ? `pii ${pii.join(', ')}` : '', sensitive.length ? `sensitive ${sensitive.join(', ')}` : ''].filter(Boolean);
  return { has: `data: ${parts.join('; ')}` };
}

/** A data subject's export (access, portability, right to know), generated from the erasable rule. */
export function subjectExport(model: SystemModel): Evidence[] {
  const rules = rulesOf(model, 'erasable');
  if (rules.length === 0) return [{ needs: `add { rule: erasable, entity: ${model.api.auth.userEntity} }: archspec generates the subject's export from it` }];
  return rules.map((r) => ({ has: `requirements.data: erasable ${r.entity} (subject export as JSON)` }));
}

/** Retention or erasure for every entity holding personal data; every retention rule is a fact. */
export function storageLimits(model: SystemModel): Evidence[] {
  const out: Evidence[] = rulesOf(model, 'retention').map((r) => ({ has: `requirements.data: retention ${r.entity} ${r.keepText}` }));
  const retained = new Set(rulesOf(model, 'retention').map((r) => r.entity));
  const erasable = new Set(rulesOf(model, 'erasable').map((r) => r.entity));
  const personal = personalEntities(model);
  if (personal.length === 0) out.push(UNMARKED);
  for (const e of personal) {
    if (erasable.has(e)) out.push({ has: `requirements.data: erasable ${e}` });
    else if (!retained.has(e)) out.push({ needs: `${e} holds personal data with no retention or erasable rule: add { rule: retention, entity: ${e}, keep: ... }` });
  }
  return out;
}

/**
 * Erasure from each erasable entity: the cascade it reaches, restrict relationships that would
 * block it, and personal data it would leave behind.
 */
export function erasure(model: SystemModel): Evidence[] {
  const rules = rulesOf(model, 'erasable');
  if (rules.length === 0) return [{ needs: `add { rule: erasable, entity: ${model.api.auth.userEntity} } so a data subject's records can be exported and erased` }];
  const out: Evidence[] = [];
  const reached = new Set<string>();
  for (const { entity } of rules) {
    const cascade = cascadeFrom(model, entity);
    cascade.reached.forEach((e) => reached.add(e));
    const via = cascade.reached.filter((e) => e !== entity);
    out.push({ has: `requirements.data: erasable ${entity}${via.length ? ` (deletion cascades to ${via.join(', ')})` : ''}` });
    for (const b of cascade.blockers) out.push({ needs: `${b} is onDelete: restrict, which blocks erasing a ${entity}: make it cascade or set-null` });
  }
  const left = personalEntities(model).filter((e) => !reached.has(e));
  if (left.length) out.push({ needs: `${listText(left)} ${isAre(left)} personal data not reached by erasing ${listText(rules.map((r) => r.entity))}: reference the subject with onDelete: cascade or add an erasable rule` });
  return out;
}

function cascadeFrom(model: SystemModel, start: string): { reached: string[]; blockers: string[] } {
  const reached = [start];
  const blockers: string[] = [];
  for (let i = 0; i < reached.length; i++) {
    for (const r of model.relationships.filter((rel) => rel.to === reached[i])) {
      if (r.onDelete === 'restrict') blockers.push(`${r.from}.${r.field}`);
      else if (r.onDelete === 'cascade' && !reached.includes(r.from)) reached.push(r.from);
    }
  }
  return { reached, blockers };
}

/** Update endpoints on the data subject's entities (rectification / right to correct). */
export function rectification(model: SystemModel): Evidence[] {
  return subjectEntities(model).map((entity) => {
    const updates = model.api.endpoints.filter((e) => e.operation === 'update' && e.entity === entity);
    return updates.length
      ? { has: `api.endpoints: ${updates.map((e) => e.key).join(', ')} (update ${entity})` }
      : { needs: `add an update endpoint for ${entity}, e.g. "PATCH /${entity.toLowerCase()}s/{id}": { does: update ${entity} }` };
  });
}

/** Audit rule coverage of `focus` entities. */
export function auditCoverage(model: SystemModel, focus: string[], why = 'hold personal data'): Evidence[] {
  const audited = new Set(rulesOf(model, 'audit').flatMap((r) => r.entities));
  if (audited.size === 0) return [{ needs: `add { rule: audit, entities: [${(focus.length ? focus : model.entities.map((e) => e.name)).join(', ')}] }` }];
  const missing = focus.filter((e) => !audited.has(e));
  const out: Evidence[] = [{ has: `requirements.data: audit ${[...audited].join(', ')}` }];
  if (missing.length) out.push({ needs: `${listText(missing)} ${why} but ${isAre(missing)} not audited: add ${missing.length === 1 ? 'it' : 'them'} to the audit rule` });
  return out;
}

/** Immutable records: a supporting fact only, never required. */
export function immutability(model: SystemModel): Evidence[] {
  return rulesOf(model, 'immutable').map((r) => ({ has: `requirements.data: immutable ${r.entities.join(', ')}` }));
}

/** Backups with stated objectives; point-in-time restore supports but does not state them. */
export function backups(model: SystemModel): Evidence[] {
  const out: Evidence[] = rulesOf(model, 'backup').map((r) => ({ has: `requirements.data: backup RPO ${specDuration(r.rpoMs)}, RTO ${specDuration(r.rtoMs)}` }));
  if (model.resilience.recovery.includes('point-in-time-restore')) out.push({ has: 'resilience.recovery: point-in-time-restore' });
  if (rulesOf(model, 'backup').length === 0) out.push({ needs: 'state recovery objectives: add { rule: backup, rpo: 15m, rto: 1h } (your figures)' });
  return out;
}

/** Whether lost data can be restored at all: a backup rule or point-in-time restore. */
export function restoreCapability(model: SystemModel): Evidence[] {
  const out = backups(model).filter((e) => e.has);
  return out.length ? out : [{ needs: 'add { rule: backup, rpo: ..., rto: ... } or point-in-time-restore to resilience.recovery' }];
}

/** Residency rules and the deployment region. */
export function residency(model: SystemModel): Evidence[] {
  const out: Evidence[] = rulesOf(model, 'residency').map((r) => ({ has: `requirements.data: residency ${r.region}` }));
  if (model.deployment.region) out.push({ has: `deployment.region: ${model.deployment.region}` });
  if (rulesOf(model, 'residency').length === 0) out.push({ needs: 'add { rule: residency, region: ... } so stored data, replicas and backups stay in one jurisdiction' });
  return out;
}

/** Third parties that receive data, and the agreement each needs. */
export function processors(model: SystemModel, agreement: string): Evidence[] {
  const names = model.requirements.integrations.map((i) => i.name);
  return [
    { has: names.length ? `requirements.integrations: ${names.join(', ')} receive data` : 'requirements.integrations: none, no third-party API receives data' },
    outside(`${agreement} with ${listText([...names, 'the hosting provider'])}`),
  ];
}
