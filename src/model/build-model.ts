import type { Spec } from '../spec/schema/index.ts';
import type { SpecDocument } from '../spec/spec-document.ts';
import { parseDuration, parsePercent, parseRate, parseSize } from '../spec/units.ts';
import { formatPath } from '../diagnostics/diagnostic.ts';
import { DEFAULTS } from './normalize/defaults.ts';
import type { Loc } from './normalize/figures.ts';
import { buildRequirements, buildIntegrations } from './normalize/requirements-normalizer.ts';
import { buildComponents, buildStorage, buildScalability, describeSteps } from './normalize/architecture-normalizer.ts';
import { buildEntities, fieldsOf, crudSummary, crudReturns } from './normalize/data-normalizer.ts';
import { parseEndpointKey, parseDoes } from './normalize/endpoint-key.ts';
import { parsePermission } from './normalize/permission.ts';
import { buildRateLimit } from './normalize/rate-limit.ts';
import type * as M from './system-model.ts';

/**
 * Turns a spec that passed every check into the normalized {@link M.SystemModel}. Assumes validity:
 * call only when `analyze` reported no errors.
 */
export function buildModel(spec: Spec, doc: SpecDocument): M.SystemModel {
  const loc: Loc = (path) => ({ at: doc.locate(path), path: formatPath(path) });
  const ops = Object.keys(spec.requirements.nonFunctional.latency);
  const defaultOp = (method?: string) =>
    method && method !== 'GET' && ops.includes('write') ? 'write' : ops.includes('read') ? 'read' : ops[0]!;
  const entities = buildEntities(spec, loc);
  const components = buildComponents(spec, loc);
  const integrations = buildIntegrations(spec, loc);
  const kindOf = (name: string): M.TargetKind =>
    name === 'primary' ? 'database' : name === 'cache' ? 'cache' : name === 'queue' ? 'queue' : integrations.some((i) => i.name === name) ? 'integration' : 'component';

  const endpoints: M.Endpoint[] = Object.entries(spec.api.endpoints).map(([key, ep]) => {
    const { method, path, pathParams } = parseEndpointKey(key);
    const base = ['api', 'endpoints', key];
    const crud = ep.does ? parseDoes(ep.does) : undefined;
    const owner = crud && components.find((c) => c.kind === 'service' && c.owns.includes(crud.entity));
    return {
      ...loc(base),
      key, method, route: path, pathParams,
      operation: crud?.operation ?? 'custom',
      entity: crud?.entity,
      handler: ep.handler,
      summary: ep.summary ?? (crud ? crudSummary(crud.operation, crud.entity) : key),
      roles: ep.roles ?? [],
      public: ep.public ?? false,
      signature: ep.signature && { header: ep.signature.header, secret: ep.signature.secret, algorithm: ep.signature.algorithm ?? 'hmac-sha256' },
      scope: ep.scope ?? 'all',
      query: fieldsOf(ep.query ?? {}, [...base, 'query'], loc),
      body: fieldsOf(ep.body ?? {}, [...base, 'body'], loc),
      returns: ep.returns ?? (crud ? crudReturns(crud.operation, crud.entity) : 'a JSON document'),
      cacheMs: ep.cache ? parseDuration(ep.cache) : undefined,
      rateLimit: ep.rateLimit ? buildRateLimit(ep.rateLimit) : undefined,
      idempotent: ep.idempotent ?? false,
      emits: ep.emits ?? [],
      component: ep.component ?? owner?.name,
      latencyOperation: ep.operation ?? defaultOp(method),
    };
  });

  const flows: M.Flow[] = Object.entries(spec.flows).map(([name, f]) => {
    const steps = f.steps.map((s, i): M.FlowStep => {
      const step = typeof s === 'string' ? { to: s } : s;
      return {
        ...loc(['flows', name, 'steps', i]),
        target: step.to,
        targetKind: kindOf(step.to),
        does: 'does' in step ? step.does : undefined,
        budgetMs: 'latency' in step && step.latency ? parseDuration(step.latency) : undefined,
        async: ('async' in step && step.async) || false,
      };
    });
    const endpointMethod = f.endpoint ? parseEndpointKey(f.endpoint).method : undefined;
    return {
      ...loc(['flows', name]),
      name,
      action: f.action,
      description: f.description ?? describeSteps(steps),
      descriptionGenerated: !f.description,
      operation: f.operation ?? defaultOp(endpointMethod),
      steps,
      emits: f.emits ?? [],
      endpoint: f.endpoint,
    };
  });

  const eventsSpec = spec.events ?? {};
  const events: M.DomainEvent[] = Object.entries(eventsSpec).map(([name, e]) => ({
    ...loc(['events', name]),
    name,
    description: e.description,
    producer: e.producer,
    payload: e.payload ?? {},
    consumers: components.filter((c) => c.consumes.includes(name) || name in c.handlers).map((c) => c.name),
  }));

  const jobs: M.Job[] = Object.entries(spec.jobs ?? {}).map(([name, j]) => ({
    ...loc(['jobs', name]),
    name,
    schedule: j.schedule,
    timezone: j.timezone ?? 'UTC',
    does: j.does,
    handler: j.handler,
    component: j.component,
    timeoutMs: j.timeout ? parseDuration(j.timeout) : undefined,
    retries: j.retry ?? 0,
  }));

  const encryptedFields = spec.requirements.data.flatMap((r) => (r.rule === 'encrypted-at-rest' ? r.fields : []));
  for (const e of entities) for (const f of e.fields) f.encrypted = encryptedFields.includes(`${e.name}.${f.name}`);

  const model: M.SystemModel = {
    file: doc.file,
    system: { ...spec.system },
    requirements: buildRequirements(spec, loc, integrations),
    architecture: {
      style: spec.architecture.style,
      components,
      storage: buildStorage(spec, loc),
    },
    flows,
    events,
    jobs,
    entities,
    relationships: entities.flatMap((e) =>
      e.fields.filter((f) => f.ref).map((f) => ({
        from: e.name, field: f.name, to: f.ref!.entity,
        kind: f.ref!.many ? ('many-to-many' as const) : ('many-to-one' as const),
        required: f.required, onDelete: f.ref!.onDelete,
      })),
    ),
    api: {
      basePath: spec.api.basePath ?? '',
      bodyLimitBytes: parseSize(spec.api.bodyLimit ?? DEFAULTS.bodyLimit),
      auth: {
        ...loc(['api', 'auth']),
        method: spec.api.auth.method,
        apiKeys: spec.api.auth.apiKeys ?? spec.api.auth.method === 'api-key',
        accessTtlMs: parseDuration(spec.api.auth.accessTtl ?? DEFAULTS.accessTtl),
        refreshTtlMs: parseDuration(spec.api.auth.refreshTtl ?? DEFAULTS.refreshTtl),
        userEntity: spec.api.auth.userEntity ?? 'User',
        oidc: spec.api.auth.oidc,
        loginLimit: spec.api.auth.loginLimit ? { perSecond: parseRate(spec.api.auth.loginLimit), text: spec.api.auth.loginLimit } : undefined,
        mfa: spec.api.auth.mfa ?? false,
      },
      endpoints,
    },
    scalability: buildScalability(spec, loc, ops),
    resilience: {
      redundancy: Object.entries(spec.resilience.redundancy).map(([target, r]) => ({
        ...loc(['resilience', 'redundancy', target]), target, targetKind: kindOf(target), approach: r.approach, replicas: r.replicas,
      })),
      detection: {
        ...loc(['resilience', 'detection']),
        probes: spec.resilience.detection.probes,
        intervalMs: spec.resilience.detection.interval ? parseDuration(spec.resilience.detection.interval) : DEFAULTS.detection.intervalMs,
        failureThreshold: spec.resilience.detection.failureThreshold ?? DEFAULTS.detection.failureThreshold,
      },
      recovery: spec.resilience.recovery,
    },
    security: {
      ...loc(['security']),
      authz: spec.security.authz,
      roles: Object.entries(spec.security.roles).map(([name, perms]) => ({
        ...loc(['security', 'roles', name]), name, permissions: perms.map((p) => parsePermission(p)!),
      })),
      piiRoles: spec.security.piiRoles ?? ('admin' in spec.security.roles ? ['admin'] : []),
      encryption: {
        algorithm: spec.security.encryption.algorithm,
        key: spec.security.encryption.key,
        inTransit: spec.security.encryption.inTransit ?? 'tls1.2',
        fields: encryptedFields,
      },
      protections: spec.security.protections,
    },
    observability: {
      ...loc(['observability']),
      metrics: spec.observability.metrics,
      logs: {
        purpose: spec.observability.logs.purpose,
        redact: spec.observability.logs.redact ?? 'pii',
        retentionMs: spec.observability.logs.retention ? parseDuration(spec.observability.logs.retention) : undefined,
      },
      alerts: spec.observability.alerts ?? [],
      tracing: {
        tool: spec.observability.tracing.tool,
        exporter: spec.observability.tracing.exporter ?? (spec.observability.tracing.tool === 'none' ? 'none' : 'otlp'),
        sampling: spec.observability.tracing.sampling ? parsePercent(spec.observability.tracing.sampling) : DEFAULTS.tracingSampling,
      },
    },
    deployment: { ...loc(['deployment']), ...spec.deployment, rollback: { ...spec.deployment.rollback } },
  };
  return deepFreeze(model);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

