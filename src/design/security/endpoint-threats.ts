import type { Threat } from '../design-report.ts';
import type { Component, Endpoint, Entity, SystemModel } from '../../model/system-model.ts';
import { roleAccess } from './access-matrix.ts';
import { listText } from './compliance/evidence.ts';

/** Endpoints a component serves: those naming it, and those of entities it owns that name no one. */
export function servedEndpoints(component: Component, model: SystemModel): Endpoint[] {
  return model.api.endpoints.filter((e) =>
    e.component === component.name || (e.component === undefined && e.entity !== undefined && component.owns.includes(e.entity)));
}

/**
 * API threats against the endpoints a component serves (OWASP API Top 10 in STRIDE terms): broken
 * object-level authorization on record paths, enumeration of public records, mass assignment of
 * read-only or owner fields, injection through parameters, personal data in responses, unaudited
 * writes, unthrottled endpoints and replayed creates. Each names the endpoints and fields involved
 * and is `mitigated` only when the spec declares the defence.
 */
export function endpointThreats(component: Component, model: SystemModel): Threat[] {
  const served = servedEndpoints(component, model);
  if (served.length === 0) return [];
  const has = (p: string) => (model.security.protections as readonly string[]).includes(p);
  const entity = (name?: string) => model.entities.find((e) => e.name === name);
  const out: Threat[] = [];

  const records = served.filter((e) => !e.public && e.pathParams.length > 0 && e.entity);
  for (const name of unique(records.map((e) => e.entity!))) {
    const eps = records.filter((e) => e.entity === name);
    const path = ownerPath(entity(name)!, model);
    const ownCells = eps.some((e) => model.security.roles.some((r) => roleAccess(e, r) === 'own'));
    const enforced = path ? `ownership checked through ${path}` : ownCells ? `${name} has no owner field, so :own access cannot be checked` : 'role checks only';
    out.push({
      category: 'Elevation of privilege',
      threat: `BOLA/IDOR: a caller changes ${eps[0]!.pathParams.map((p) => `{${p}}`).join(', ')} in ${listText(eps.map((e) => e.key))} to reach another user's ${name}`,
      mitigation: `${enforced}; bola in security.protections`,
      mitigated: has('bola') && (path !== undefined || !ownCells),
    });
  }
  const open = served.filter((e) => e.public && e.pathParams.length > 0);
  if (open.length) {
    out.push({
      category: 'Information disclosure',
      threat: `enumeration: anonymous callers walk ${open.map((e) => e.pathParams.map((p) => `{${p}}`).join('')).join(', ')} in ${listText(open.map((e) => e.key))} to harvest records`,
      mitigation: 'enumeration in security.protections (unguessable ids, uniform not-found responses, throttling)',
      mitigated: has('enumeration'),
    });
  }
  const writes = served.filter((e) => (e.operation === 'create' || e.operation === 'update') && e.entity);
  const guarded = unique(writes.flatMap((e) => {
    const def = entity(e.entity)!;
    return def.fields.filter((f) => f.readOnly || f.name === def.owner).map((f) => `${def.name}.${f.name}`);
  }));
  if (writes.length) {
    const publicWrites = writes.filter((e) => e.public).map((e) => e.key);
    out.push({
      category: 'Tampering',
      threat: `mass assignment: a request body to ${listText(writes.map((e) => e.key))} sets ${guarded.length ? listText(guarded) : 'fields the caller must not control'}${publicWrites.length ? ` (${listText(publicWrites)} needs no sign-in)` : ''}`,
      mitigation: 'mass-assignment in security.protections: unknown, readOnly and owner fields rejected',
      mitigated: has('mass-assignment'),
    });
  }
  const inputs = unique(served.flatMap((e) => [...e.pathParams.map((p) => `{${p}}`), ...e.query.map((q) => q.name)]));
  if (inputs.length) {
    out.push({
      category: 'Tampering',
      threat: `injection: crafted values in ${listText(inputs)} alter the SQL the component runs`,
      mitigation: 'sql-injection in security.protections (parameterised queries only)',
      mitigated: has('sql-injection'),
    });
  }
  const personal = unique(served.flatMap((e) => entity(e.entity)?.fields.filter((f) => f.pii || f.sensitive).map((f) => `${e.entity}.${f.name}`) ?? []));
  if (personal.length) {
    const { piiRoles, roles } = model.security;
    const narrowed = roles.some((r) => !piiRoles.includes(r.name));
    out.push({
      category: 'Information disclosure',
      threat: `${listText(personal)} leak in responses to roles that do not need them, or into logs`,
      mitigation: `security.piiRoles: ${piiRoles.join(', ') || 'none'}; observability.logs.redact: ${model.observability.logs.redact}`,
      mitigated: narrowed && model.observability.logs.redact !== 'none',
    });
  }
  const written = unique(served.filter((e) => ['create', 'update', 'delete'].includes(e.operation) && e.entity).map((e) => e.entity!));
  if (written.length) {
    const audited = new Set(model.requirements.data.flatMap((r) => (r.rule === 'audit' ? r.entities : [])));
    const missing = written.filter((e) => !audited.has(e));
    out.push({
      category: 'Repudiation',
      threat: `a caller denies a change to ${listText(written)} made through ${component.name}`,
      mitigation: missing.length ? `add ${listText(missing)} to the audit rule` : `audit rule on ${listText(written)} (audit rows written in the same transaction)`,
      mitigated: missing.length === 0,
    });
  }
  const costly = served.filter((e) => e.operation === 'list' || e.operation === 'create' || e.public);
  const unthrottled = costly.filter((e) => !e.rateLimit).map((e) => e.key);
  if (costly.length) {
    out.push({
      category: 'Denial of service',
      threat: unthrottled.length ? `floods of ${listText(unthrottled)} (no rateLimit) exhaust ${component.name} and the database` : `floods of ${listText(costly.map((e) => e.key))} exhaust ${component.name}`,
      mitigation: has('ddos') ? 'ddos in security.protections' : 'a rateLimit on every list, create and public endpoint, or ddos in security.protections',
      mitigated: has('ddos') || unthrottled.length === 0,
    });
  }
  const posts = served.filter((e) => e.method === 'POST');
  const replayable = posts.filter((e) => !e.idempotent).map((e) => e.key);
  if (posts.length) {
    out.push({
      category: 'Tampering',
      threat: replayable.length ? `a retried or replayed ${listText(replayable)} writes twice` : `a retried or replayed ${listText(posts.map((e) => e.key))} writes twice`,
      mitigation: replayable.length ? `idempotent: true on ${listText(replayable)}, or replay in security.protections` : 'idempotent: true (Idempotency-Key) on every POST',
      mitigated: replayable.length === 0 || has('replay'),
    });
  }
  return out;
}

/** How ownership of an entity's records is found: `Link.owner`, the caller's own account, or one reference away `Visit.link -> Link.owner`. */
export function ownerPath(entity: Entity, model: SystemModel): string | undefined {
  if (entity.owner) return `${entity.name}.${entity.owner}`;
  if (entity.name === model.api.auth.userEntity) return `${entity.name}.${entity.id.field} = the caller`;
  for (const f of entity.fields) {
    const target = f.ref && !f.ref.many ? model.entities.find((e) => e.name === f.ref!.entity) : undefined;
    if (target?.owner) return `${entity.name}.${f.name} -> ${target.name}.${target.owner}`;
  }
  return undefined;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
