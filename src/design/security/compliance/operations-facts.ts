import type { SystemModel } from '../../../model/system-model.ts';
import { formatPercent } from '../../../spec/units.ts';
import { days, isAre, listText, specDuration, type Evidence } from './evidence.ts';

/** Log purpose, redaction and retention as one fact. */
export function logging(model: SystemModel): Evidence {
  const { purpose, redact, retentionMs } = model.observability.logs;
  const retention = retentionMs === undefined ? 'retention unstated' : `retention ${specDuration(retentionMs)}`;
  return { has: `observability.logs: ${purpose} (redact ${redact}, ${retention})` };
}

/** Log retention of at least `minMs`. */
export function logRetention(model: SystemModel, minMs: number): Evidence[] {
  const { retentionMs } = model.observability.logs;
  if (retentionMs === undefined) return [{ needs: `set observability.logs.retention to at least ${days(minMs)}` }];
  const fact = { has: `observability.logs.retention: ${specDuration(retentionMs)}` };
  return retentionMs >= minMs ? [fact] : [fact, { needs: `raise observability.logs.retention to at least ${days(minMs)}` }];
}

/** Any stated log retention (logs hold personal data and evidence, so their lifetime must be known). */
export function logRetentionStated(model: SystemModel): Evidence {
  const { retentionMs } = model.observability.logs;
  return retentionMs === undefined
    ? { needs: 'set observability.logs.retention (logs hold personal data too)' }
    : { has: `observability.logs.retention: ${specDuration(retentionMs)}` };
}

/** An alert that watches failed sign-ins. */
export function loginAlerts(model: SystemModel): Evidence {
  const alert = model.observability.alerts.find((a) => /log-?in|sign-?in|auth/i.test(`${a.name} ${a.when}`));
  return alert
    ? { has: `observability.alerts: ${alert.name} (${alert.when})` }
    : { needs: 'add an alert on failed sign-ins, e.g. { name: failed logins, when: "login failures > 50 in 5m", severity: ticket }' };
}

/** Personal data kept out of logs. */
export function logRedaction(model: SystemModel): Evidence {
  const { redact } = model.observability.logs;
  return redact === 'none' ? { needs: 'set observability.logs.redact: pii' } : { has: `observability.logs.redact: ${redact}` };
}

/** Metrics, probes, stated alerts and the SLO burn-rate alerts archspec derives. */
export function monitoring(model: SystemModel): Evidence[] {
  const { metrics, alerts } = model.observability;
  const { probes, intervalMs } = model.resilience.detection;
  const out: Evidence[] = [
    { has: `observability.metrics: ${metrics.join(', ')}` },
    { has: `resilience.detection: ${probes.join(', ')} probes every ${specDuration(intervalMs)}` },
    ...paging(model),
  ];
  if (alerts.length) out.push({ has: `observability.alerts: ${alerts.map((a) => a.name).join(', ')}` });
  const missing = (['error-rate', 'latency'] as const).filter((m) => !metrics.includes(m));
  if (missing.length) out.push({ needs: `add ${missing.join(' and ')} to observability.metrics` });
  return out;
}

/** Who gets woken up: the derived SLO pages and any stated paging alerts. */
export function paging(model: SystemModel): Evidence[] {
  const pages = model.observability.alerts.filter((a) => a.severity === 'page').map((a) => a.name);
  const out: Evidence[] = [{ has: `SLO burn-rate pages derived from availability ${formatPercent(model.requirements.nonFunctional.availability)}` }];
  if (pages.length) out.push({ has: `observability.alerts (page): ${pages.join(', ')}` });
  return out;
}

/** Distributed tracing. */
export function tracing(model: SystemModel): Evidence {
  const t = model.observability.tracing;
  return t.tool === 'none'
    ? { needs: 'set observability.tracing.tool: opentelemetry' }
    : { has: `observability.tracing: ${t.tool} (${t.exporter}, ${formatPercent(t.sampling)} sampled)` };
}

/** Redundancy of the primary database and of every component. */
export function redundancy(model: SystemModel): Evidence[] {
  const { redundancy: entries, recovery } = model.resilience;
  const out: Evidence[] = [];
  const primary = entries.find((r) => r.targetKind === 'database');
  out.push(primary
    ? { has: `resilience.redundancy.primary: ${primary.approach} (${primary.replicas} replicas)` }
    : { needs: 'add resilience.redundancy.primary (a standby with automatic failover)' });
  const replicated = entries.filter((r) => r.targetKind === 'component' && r.replicas > 1);
  if (replicated.length) out.push({ has: `resilience.redundancy: ${replicated.map((r) => `${r.target} x${r.replicas}`).join(', ')}` });
  const scaled = new Set([...replicated.map((r) => r.target), ...model.scalability.horizontal.components]);
  const single = model.architecture.components.filter((c) => !scaled.has(c.name)).map((c) => c.name);
  if (single.length) out.push({ needs: `${listText(single)} ${isAre(single)} neither redundant nor scaled out: add resilience.redundancy or scalability.horizontal entries` });
  if (recovery.includes('failover')) out.push({ has: 'resilience.recovery: failover' });
  return out;
}

/** Pipeline, promotion path and rollback. */
export function changeManagement(model: SystemModel): Evidence[] {
  const d = model.deployment;
  const out: Evidence[] = [
    { has: `deployment.cicd: ${d.cicd}` },
    { has: `deployment.environments: ${d.environments.join(' -> ')}` },
    { has: `deployment.rollback: ${d.rollback.strategy} on ${d.rollback.on.join(', ')}` },
  ];
  if (d.environments.length < 2) out.push({ needs: 'add a staging environment before production in deployment.environments' });
  return out;
}

/** Infrastructure described as code. */
export function infrastructureAsCode(model: SystemModel): Evidence {
  return { has: `deployment.iac: ${model.deployment.iac.join(', ')}` };
}

/** The application-level attacks this system is exposed to, and which the spec defends. */
export function webProtections(model: SystemModel): Evidence[] {
  const relevant: string[] = ['sql-injection', 'bola', 'mass-assignment'];
  const urlFields = model.entities.some((e) => e.fields.some((f) => f.type === 'url'));
  if (model.requirements.integrations.length || urlFields) relevant.push('ssrf');
  if (model.architecture.components.some((c) => c.kind === 'frontend')) relevant.push('xss', 'csrf', 'clickjacking');
  const stated = new Set<string>(model.security.protections);
  const present = relevant.filter((p) => stated.has(p));
  const missing = relevant.filter((p) => !stated.has(p));
  const out: Evidence[] = [];
  if (present.length) out.push({ has: `security.protections: ${present.join(', ')}` });
  if (missing.length) out.push({ needs: `add ${missing.join(', ')} to security.protections` });
  return out;
}

/** The entry point and how floods against it are limited. */
export function boundary(model: SystemModel): Evidence[] {
  const gateways = model.architecture.components.filter((c) => c.kind === 'gateway').map((c) => c.name);
  const out: Evidence[] = [gateways.length
    ? { has: `architecture.components: ${gateways.join(', ')} (gateway in front of the services)` }
    : { needs: 'add a gateway component so authentication and rate limits apply at one entry point' }];
  const limited = model.api.endpoints.filter((e) => e.rateLimit).map((e) => `${e.key} ${e.rateLimit!.text}`);
  if (limited.length) out.push({ has: `rateLimit on ${limited.join(', ')}` });
  if (model.security.protections.includes('ddos')) return [...out, { has: 'security.protections: ddos' }];
  const open = model.api.endpoints.filter((e) => e.public && !e.rateLimit).map((e) => e.key);
  if (open.length) out.push({ needs: `${listText(open)} ${isAre(open)} public without a rateLimit: add one, or list ddos in security.protections` });
  return out;
}

/** Integrations whose stated URL is plain http (an env: reference is only known at run time). */
export function integrationTransport(model: SystemModel): Evidence[] {
  return model.requirements.integrations
    .filter((i) => i.url.startsWith('http://'))
    .map((i) => ({ needs: `requirements.integrations.${i.name}.url is plain http: use https` }));
}

/** Requests cannot set fields the caller must not control. */
export function massAssignment(model: SystemModel): Evidence {
  const readOnly = model.entities.flatMap((e) => e.fields.filter((f) => f.readOnly).map((f) => `${e.name}.${f.name}`));
  return model.security.protections.includes('mass-assignment')
    ? { has: `security.protections: mass-assignment${readOnly.length ? ` (readOnly ${readOnly.join(', ')} rejected in requests)` : ''}` }
    : { needs: 'add mass-assignment to security.protections' };
}

/** Inputs checked and writes not duplicated: mass-assignment guard, idempotent creates, stated guarantees. */
export function inputIntegrity(model: SystemModel): Evidence[] {
  const out: Evidence[] = [massAssignment(model)];
  const creates = model.api.endpoints.filter((e) => e.method === 'POST');
  const idempotent = creates.filter((e) => e.idempotent).map((e) => e.key);
  const notIdempotent = creates.filter((e) => !e.idempotent).map((e) => e.key);
  if (idempotent.length) out.push({ has: `idempotent: true on ${idempotent.join(', ')}` });
  if (notIdempotent.length) out.push({ needs: `set idempotent: true on ${listText(notIdempotent)} so a retried request cannot write twice` });
  out.push({ has: `requirements.nonFunctional.integrity: ${model.requirements.nonFunctional.integrity.map((t) => `"${t}"`).join(', ')}` });
  return out;
}
