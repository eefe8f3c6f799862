import type { ComplianceStandard, Endpoint, SystemModel } from '../../model/system-model.ts';
import { defineRule, endpointPlace, placeUnder, type LintRule, type SpecPlace } from './lint-rule.ts';

const ENCRYPTION_STANDARDS: readonly ComplianceStandard[] = ['GDPR', 'HIPAA'];

/** A PII field stored in clear text when GDPR or HIPAA is listed. */
export const piiWithoutEncryption = defineRule({
  id: 'pii-without-encryption',
  severity: 'warning',
  title: 'A PII field is not encrypted at rest although GDPR or HIPAA is listed',
}, ({ model }, report) => {
  const standards = model.requirements.nonFunctional.compliance.filter((c) => ENCRYPTION_STANDARDS.includes(c));
  if (standards.length === 0) return;
  for (const entity of model.entities) {
    for (const field of entity.fields.filter((f) => f.pii && !f.encrypted)) {
      report(
        field,
        `${entity.name}.${field.name} holds personal data in clear text at rest, with ${standards.join(' and ')} listed`,
        `Add ${entity.name}.${field.name} to the fields of an encrypted-at-rest rule in requirements.data.`,
      );
    }
  }
});

/** Under GDPR, an entity with PII needs a retention rule or must be erasable (storage limitation, right to erasure). */
export const piiWithoutRetention = defineRule({
  id: 'pii-without-retention',
  severity: 'warning',
  title: 'Under GDPR, an entity with PII has no retention rule and is not erasable',
}, ({ model }, report) => {
  if (!model.requirements.nonFunctional.compliance.includes('GDPR')) return;
  const covered = new Set(model.requirements.data.flatMap((r) => (r.rule === 'retention' || r.rule === 'erasable' ? [r.entity] : [])));
  for (const entity of model.entities.filter((e) => e.fields.some((f) => f.pii) && !covered.has(e.name))) {
    const fields = entity.fields.filter((f) => f.pii).map((f) => f.name).join(', ');
    report(
      entity,
      `${entity.name} holds personal data (${fields}) but is kept forever and cannot be erased on request`,
      `Add { rule: retention, entity: ${entity.name}, keep: 2y } or { rule: erasable, entity: ${entity.name} } to requirements.data.`,
    );
  }
});

/** Logs kept without redaction while the model holds PII. */
export const sensitiveDataInLogs = defineRule({
  id: 'sensitive-data-in-logs',
  severity: 'error',
  title: 'Logs are not redacted while the data model holds PII',
}, ({ model }, report) => {
  if (model.observability.logs.redact !== 'none') return;
  const pii = model.entities.flatMap((e) => e.fields.filter((f) => f.pii).map((f) => `${e.name}.${f.name}`));
  if (pii.length === 0) return;
  report(
    placeUnder(model.observability, 'logs', 'redact'),
    `logs are written unredacted (redact: none) while ${pii.join(', ')} ${pii.length === 1 ? 'is' : 'are'} personal data`,
    'Set observability.logs.redact to pii (or sensitive).',
  );
});

/**
 * A cached endpoint whose response depends on the caller. With scope own the response is one
 * user's data, so a shared cache can hand it to another user (error); with roles only, the cache
 * key must still include the caller, or authorization must run before the cache (warning).
 */
export const perUserDataInSharedCache = defineRule({
  id: 'per-user-data-in-shared-cache',
  severity: 'warning',
  title: 'A cached endpoint answers per caller, so its cache entries are per caller (scope own: warning; roles only: info)',
}, ({ model }, report) => {
  for (const { ep, place } of cachedEndpoints(model)) {
    if (ep.public) continue;
    const own = ep.scope === 'own';
    // archspec serve authorizes before the cache and keys such answers by caller (or role set), so
    // nobody is served another's data; what remains is the cost: entries that only their owner hits.
    report(
      place,
      own
        ? `"${ep.key}" is cached but returns only the caller's own records (scope: own): archspec serve keeps one entry per user, so only a user's own repeated reads hit it`
        : `"${ep.key}" is cached but only roles ${ep.roles.join(', ') || '(none named)'} may call it: answers are keyed by role set and authorization runs before the cache`,
      own
        ? `Cache the entity instead (scalability.cache: { ${ep.entity ?? 'Entity'}: 60s }): one record entry serves every caller and visibility is applied per caller; or drop the endpoint's cache. Any other cache in front must key by user id.`
        : 'Nothing to change for archspec serve; a cache in front of it (CDN, gateway) must key by role or check authorization first.',
      own ? 'warning' : 'info',
    );
  }
});

/** Endpoints cached by their own `cache:` or by a scalability.cache entry naming their key. */
function cachedEndpoints(model: SystemModel): { ep: Endpoint; place: SpecPlace }[] {
  const byEndpoint = model.api.endpoints.filter((ep) => ep.cacheMs !== undefined).map((ep) => ({ ep, place: endpointPlace(ep) }));
  // Match by key rather than targetKind: an endpoint key starts with an upper-case method, like an entity name.
  const byScalability = model.scalability.cache.flatMap((c) => {
    const ep = model.api.endpoints.find((e) => e.key === c.target);
    return ep && ep.cacheMs === undefined ? [{ ep, place: placeUnder(model.scalability, 'cache', c.target) }] : [];
  });
  return [...byEndpoint, ...byScalability];
}

/** Privacy rules, in the order the docs list them. */
export const PRIVACY_RULES: readonly LintRule[] = [piiWithoutEncryption, piiWithoutRetention, sensitiveDataInLogs, perUserDataInSharedCache];
