import type { Threat } from '../design-report.ts';
import type { DataRule, Integration, SystemModel } from '../../model/system-model.ts';
import { listText, specDuration } from './compliance/evidence.ts';

/**
 * STRIDE threats to the primary database: disclosure of the pii and sensitive fields it holds (named),
 * destruction without a way back, unattributed changes to user-owned records, and connection
 * exhaustion. `mitigated` follows the encryption, backup, audit and pooling facts of the model.
 */
export function databaseThreats(model: SystemModel): Threat[] {
  const db = model.architecture.storage.primary;
  const held = model.entities.filter((e) => db.holds.includes(e.name));
  const personal = held.flatMap((e) => e.fields.filter((f) => f.pii || f.sensitive).map((f) => ({ name: `${e.name}.${f.name}`, encrypted: f.encrypted })));
  const plain = personal.filter((f) => !f.encrypted).map((f) => f.name);
  const sealed = personal.filter((f) => f.encrypted).map((f) => f.name);
  const audited = new Set(model.requirements.data.flatMap((r) => (r.rule === 'audit' ? r.entities : [])));
  const attributable = held.filter((e) => e.owner || e.name === model.api.auth.userEntity || e.fields.some((f) => f.pii || f.sensitive)).map((e) => e.name);
  const unaudited = attributable.filter((e) => !audited.has(e));
  const backup = model.requirements.data.find((r): r is Extract<DataRule, { rule: 'backup' }> => r.rule === 'backup');
  const pitr = model.resilience.recovery.includes('point-in-time-restore');
  const pooled = model.scalability.database.approach.includes('connection-pooling');
  return [
    {
      category: 'Information disclosure',
      threat: personal.length
        ? `a stolen disk, snapshot or backup of ${db.engine} exposes ${listText(plain.length ? plain : sealed)}${plain.length && sealed.length ? ` (${listText(sealed)} encrypted)` : ''}`
        : `a stolen disk, snapshot or backup of ${db.engine} exposes ${listText(held.map((e) => e.name))}; no field is marked pii or sensitive`,
      mitigation: plain.length || !personal.length
        ? `add ${plain.length ? listText(plain) : 'the personal fields'} to the encrypted-at-rest rule (${model.security.encryption.algorithm})`
        : `encrypted-at-rest ${listText(sealed)} (${model.security.encryption.algorithm}, key from ${model.security.encryption.key})`,
      mitigated: personal.length > 0 && plain.length === 0,
    },
    {
      category: 'Tampering',
      threat: `rows of ${listText(held.map((e) => e.name))} deleted or corrupted by a bad migration, a bug or ransomware`,
      mitigation: [backup ? `backup rule (RPO ${specDuration(backup.rpoMs)}, RTO ${specDuration(backup.rtoMs)})` : '', pitr ? 'point-in-time-restore' : '']
        .filter(Boolean).join(' and ') || 'add a backup rule or point-in-time-restore to resilience.recovery',
      mitigated: backup !== undefined || pitr,
    },
    {
      category: 'Repudiation',
      threat: `changes to ${listText(attributable.length ? attributable : held.map((e) => e.name))} cannot be attributed to the account that made them`,
      mitigation: unaudited.length ? `add ${listText(unaudited)} to the audit rule` : `audit rule on ${listText(attributable)}`,
      mitigated: attributable.length > 0 && unaudited.length === 0,
    },
    {
      category: 'Denial of service',
      threat: `a traffic spike exhausts ${db.engine} connections (pool ${model.scalability.database.pool} per instance, up to ${model.scalability.instances.max} instances)`,
      mitigation: pooled ? `connection-pooling${model.scalability.database.readReplicas ? ` and ${model.scalability.database.readReplicas} read replicas` : ''}` : 'add connection-pooling to scalability.database.approach',
      mitigated: pooled,
    },
  ];
}

/**
 * STRIDE threats to one external integration: SSRF through user-supplied URLs, spoofed responses,
 * fail-open fallbacks, duplicated non-idempotent calls, cascading failure into the components that
 * call it, and untraceable failures.
 */
export function integrationThreats(integration: Integration, model: SystemModel): Threat[] {
  const i = integration;
  const urlFields = model.entities.flatMap((e) => e.fields.filter((f) => f.type === 'url').map((f) => `${e.name}.${f.name}`));
  const callers = callersOf(i.name, model);
  const https = i.url.startsWith('https://');
  const out: Threat[] = [
    {
      category: 'Elevation of privilege',
      threat: `SSRF: calls to ${i.name} are steered to internal addresses by a redirect, a rebinding DNS answer${urlFields.length ? ` or a user-supplied URL (${listText(urlFields)})` : ''}`,
      // archspec serve's guard runs on every integration call whatever `protections` lists.
      mitigation: i.allowPrivateNetwork
        ? `remove allowPrivateNetwork from ${i.name}`
        : 'private, loopback and metadata addresses refused after DNS resolution, the connection pinned to the checked address, redirects refused',
      mitigated: !i.allowPrivateNetwork,
    },
    {
      category: 'Spoofing',
      threat: `a spoofed ${i.name} response (DNS or TLS interception) defeats its purpose: ${i.purpose}`,
      mitigation: https ? `https URL ${i.url}, certificate verified` : `make ${i.url} an https URL (archspec cannot check ${i.url.startsWith('env:') ? 'an env reference' : 'it'})`,
      mitigated: https,
    },
  ];
  if (i.fallback === 'allow') {
    out.push({
      category: 'Tampering',
      threat: `anyone who slows ${i.name} past its ${i.timeoutMs === undefined ? 'timeout' : specDuration(i.timeoutMs)} timeout skips it: fallback: allow fails open`,
      mitigation: `fallback: deny, cached or queue for ${i.name} if its answer protects anything`,
      mitigated: false,
    });
  }
  out.push(
    {
      category: 'Tampering',
      threat: `${i.retries} ${i.retries === 1 ? 'retry repeats' : 'retries repeat'} a call to ${i.name} that may already have taken effect`,
      mitigation: i.idempotent ? `${i.name} is idempotent` : i.retries ? `mark ${i.name} idempotent: true, or set retry: 0` : 'no retries',
      mitigated: i.idempotent || i.retries === 0,
    },
    {
      category: 'Denial of service',
      threat: `a slow or failing ${i.name} ties up ${callers.length ? listText(callers) : 'its callers'} (cascading failure)`,
      mitigation: [
        i.timeoutMs !== undefined ? `timeout ${specDuration(i.timeoutMs)}` : 'add a timeout',
        i.breaker ? `breaker at ${Math.round(i.breaker.failureRate * 100)}% over ${specDuration(i.breaker.windowMs)}` : 'add a breaker',
        i.bulkhead ? `bulkhead ${i.bulkhead}` : '',
        i.fallback ? `fallback ${i.fallback}` : '',
      ].filter(Boolean).join(', '),
      mitigated: i.timeoutMs !== undefined && i.breaker !== undefined,
    },
    {
      category: 'Repudiation',
      threat: `failed calls to ${i.name} cannot be traced to the request that made them`,
      mitigation: model.observability.tracing.tool === 'none' ? 'set observability.tracing.tool: opentelemetry' : `${model.observability.tracing.tool} spans around each call`,
      mitigated: model.observability.tracing.tool !== 'none',
    },
  );
  return out;
}

/** Components that call a target: the nearest component step before it in each flow. */
export function callersOf(target: string, model: SystemModel): string[] {
  const callers = new Set<string>();
  for (const f of model.flows) {
    f.steps.forEach((s, n) => {
      if (s.target !== target) return;
      const caller = f.steps.slice(0, n).reverse().find((p) => p.targetKind === 'component');
      if (caller) callers.add(`${caller.target} (flow ${f.name})`);
    });
  }
  return [...callers];
}
