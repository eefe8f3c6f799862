import type { Spec } from '../spec/schema/index.ts';
import type { SpecDocument, SpecPath } from '../spec/spec-document.ts';
import { parseDuration, parseGrowth, parseHorizon, parsePercent, parseRate, parseSize } from '../spec/units.ts';
import { formatPath } from '../diagnostics/diagnostic.ts';
import { DEFAULTS } from './normalize/defaults.ts';
import { parseFieldDef, type FieldDefinition } from './normalize/field-def.ts';
import { parseEndpointKey, parseDoes } from './normalize/endpoint-key.ts';
import { parsePermission } from './normalize/permission.ts';
import type * as M from './system-model.ts';

type Loc = (path: SpecPath) => M.Located;

const stated = (value: number): M.Figure => ({ value, assumed: false });
const assumed = (value: number): M.Figure => ({ value, assumed: true });
const figure = (text: string | undefined, parse: (t: string) => number, fallback: number): M.Figure =>
  text === undefined ? assumed(fallback) : stated(parse(text));

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
      rateLimit: ep.rateLimit ? { perSecond: parseRate(ep.rateLimit), text: ep.rateLimit } : undefined,
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

function buildRequirements(spec: Spec, loc: Loc, integrations: M.Integration[]): M.Requirements {
  const nfr = spec.requirements.nonFunctional;
  const ops = Object.keys(nfr.latency);
  const defaultMix = Object.fromEntries(ops.map((op) => [op, op === 'read' && ops.includes('write') ? 0.8 : op === 'write' && ops.includes('read') ? 0.2 : 1 / ops.length]));
  const hasReadWrite = ops.includes('read') && ops.includes('write');
  if (hasReadWrite && ops.length > 2) {
    const rest = 0.1 / (ops.length - 2);
    for (const op of ops) defaultMix[op] = op === 'read' ? 0.7 : op === 'write' ? 0.2 : rest;
  }
  return {
    functional: Object.entries(spec.requirements.functional).map(([id, fr]) => ({
      ...loc(['requirements', 'functional', id]), id, text: fr.text, endpoints: fr.by ?? [], flows: fr.flows ?? [], jobs: fr.jobs ?? [],
    })),
    integrations,
    data: spec.requirements.data.map((r, i) => {
      const l = loc(['requirements', 'data', i]);
      switch (r.rule) {
        case 'retention':
          return { ...l, rule: r.rule, entity: r.entity, keepMs: parseDuration(r.keep), keepText: r.keep };
        case 'backup':
          return { ...l, rule: r.rule, rpoMs: parseDuration(r.rpo), rtoMs: parseDuration(r.rto) };
        default:
          return { ...l, ...r };
      }
    }),
    nonFunctional: {
      users: {
        concurrent: nfr.users.concurrent,
        monthlyGrowth: parseGrowth(nfr.users.growth),
        growthText: nfr.users.growth,
        horizonMonths: nfr.users.horizon ? parseHorizon(nfr.users.horizon) : DEFAULTS.horizonMonths,
      },
      traffic: {
        requestsPerUserPerSecond: figure(nfr.traffic?.requestsPerUser, parseRate, DEFAULTS.requestsPerUserPerMinute / 60),
        peakFactor: nfr.traffic?.peakFactor === undefined ? assumed(DEFAULTS.peakFactor) : stated(nfr.traffic.peakFactor),
        mix: nfr.traffic?.mix ? Object.fromEntries(Object.entries(nfr.traffic.mix).map(([k, v]) => [k, parsePercent(v)])) : defaultMix,
        mixAssumed: !nfr.traffic?.mix,
      },
      latency: Object.fromEntries(Object.entries(nfr.latency).map(([op, t]) => [op, latencyTargets(t)])),
      availability: parsePercent(nfr.availability),
      sloWindowMs: parseDuration(nfr.sloWindow ?? DEFAULTS.sloWindow),
      compliance: nfr.compliance,
      integrity: nfr.integrity,
    },
  };
}

function latencyTargets(t: Partial<Record<string, string>>): M.LatencyTarget[] {
  const q: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99, p999: 0.999 };
  return Object.entries(t)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([label, text]) => ({ label, quantile: q[label]!, ms: parseDuration(text) }))
    .sort((a, b) => a.quantile - b.quantile);
}

function buildComponents(spec: Spec, loc: Loc): M.Component[] {
  return Object.entries(spec.architecture.components).map(([name, c]) => ({
    ...loc(['architecture', 'components', name]),
    name,
    kind: c.kind,
    purpose: c.purpose,
    owns: c.owns ?? [],
    consumes: c.consumes ?? [],
    handlers: c.handlers ?? {},
    availability: figure(c.availability, parsePercent, DEFAULTS.componentAvailability[c.kind]),
    latencyMs: figure(c.latency, parseDuration, DEFAULTS.componentLatencyMs[c.kind]),
  }));
}

function buildIntegrations(spec: Spec, loc: Loc): M.Integration[] {
  return Object.entries(spec.requirements.integrations ?? {}).map(([name, i]) => ({
    ...loc(['requirements', 'integrations', name]),
    name,
    purpose: i.purpose,
    url: i.url,
    timeoutMs: i.timeout ? parseDuration(i.timeout) : undefined,
    retries: i.retry ?? 0,
    idempotent: i.idempotent ?? true,
    breaker: i.breaker && {
      failureRate: parsePercent(i.breaker.failureRate),
      windowMs: parseDuration(i.breaker.window),
      halfOpenAfterMs: parseDuration(i.breaker.halfOpenAfter),
      minimumCalls: i.breaker.minimumCalls ?? 10,
    },
    bulkhead: i.bulkhead,
    fallback: i.fallback,
    availability: figure(i.availability, parsePercent, DEFAULTS.integration.availability),
    latencyMs: figure(i.latency, parseDuration, DEFAULTS.integration.latencyMs),
    allowPrivateNetwork: i.allowPrivateNetwork ?? false,
  }));
}

function buildStorage(spec: Spec, loc: Loc): M.Architecture['storage'] {
  const s = spec.architecture.storage;
  return {
    primary: {
      ...loc(['architecture', 'storage', 'primary']),
      engine: s.primary.engine,
      holds: s.primary.holds,
      purpose: s.primary.purpose,
      availability: figure(s.primary.availability, parsePercent, DEFAULTS.database.availability),
      latencyMs: figure(s.primary.latency, parseDuration, DEFAULTS.database.latencyMs),
    },
    cache: s.cache && {
      ...loc(['architecture', 'storage', 'cache']),
      engine: s.cache.engine,
      maxEntries: s.cache.maxEntries ?? DEFAULTS.cache.maxEntries,
      availability: figure(s.cache.availability, parsePercent, DEFAULTS.cache.availability),
      latencyMs: figure(s.cache.latency, parseDuration, DEFAULTS.cache.latencyMs),
    },
    queue: s.queue && {
      ...loc(['architecture', 'storage', 'queue']),
      engine: s.queue.engine,
      availability: figure(s.queue.availability, parsePercent, DEFAULTS.queue.availability),
      latencyMs: figure(s.queue.latency, parseDuration, DEFAULTS.queue.latencyMs),
    },
  };
}

function buildScalability(spec: Spec, loc: Loc, ops: string[]): M.Scalability {
  const s = spec.scalability;
  const perOp = (given: Record<string, string> | undefined, fallback: Record<string, number>) =>
    Object.fromEntries(ops.map((op) => [op, figure(given?.[op], parseDuration, fallback[op] ?? fallback.other!)]));
  return {
    ...loc(['scalability']),
    horizontal: { ...s.horizontal },
    instances: { ...s.instances },
    database: { approach: s.database.approach, readReplicas: s.database.readReplicas ?? 0, pool: s.database.pool ?? DEFAULTS.pool },
    cache: Object.entries(s.cache ?? {}).map(([target, ttl]) => ({
      target, targetKind: target in spec.api.endpoints ? ('endpoint' as const) : ('entity' as const), ttlMs: parseDuration(ttl), text: ttl,
    })),
    loadBalancer: s.loadBalancer,
    capacity: {
      serviceTimeMs: perOp(s.capacity?.serviceTime, DEFAULTS.serviceTimeMs),
      source: s.capacity?.source ?? 'assumed',
      serversPerInstance: s.capacity?.serversPerInstance ?? 1,
      dbTimeMs: perOp(s.capacity?.dbTime, DEFAULTS.dbTimeMs),
    },
  };
}

function buildEntities(spec: Spec, loc: Loc): M.Entity[] {
  return Object.entries(spec.data).map(([name, e]) => {
    const idSpec = e.id ?? 'uuid';
    const id: M.Entity['id'] = typeof idSpec === 'string'
      ? { field: 'id', type: idSpec === 'serial' ? 'integer' : idSpec === 'short' ? 'string' : 'uuid', generate: idSpec }
      : idSpec;
    return {
      ...loc(['data', name]),
      name,
      description: e.description,
      id,
      fields: fieldsOf(e.fields, ['data', name, 'fields'], loc),
      owner: e.owner,
      softDelete: e.softDelete ?? false,
      timestamps: e.timestamps ?? true,
    };
  });
}

function fieldsOf(raw: Record<string, Parameters<typeof parseFieldDef>[0]>, base: SpecPath, loc: Loc): M.Field[] {
  return Object.entries(raw).map(([name, def]) => {
    const f: FieldDefinition = parseFieldDef(def);
    return { ...loc([...base, name]), name, ...f, encrypted: false };
  });
}

function crudSummary(op: M.CrudOperation, entity: string): string {
  const a = /^[AEIOU]/.test(entity) ? 'an' : 'a';
  return { create: `create ${a} ${entity}`, list: `list ${entity} records`, get: `read one ${entity}`, update: `update ${a} ${entity}`, delete: `delete ${a} ${entity}` }[op];
}

function crudReturns(op: M.CrudOperation, entity: string): string {
  return {
    create: `the created ${entity} (201, Location header)`,
    list: `a page of ${entity} records and a next cursor`,
    get: `the ${entity} with its ETag`,
    update: `the updated ${entity} with its new ETag`,
    delete: 'nothing (204)',
  }[op];
}

function describeSteps(steps: M.FlowStep[]): string {
  const words: Record<M.TargetKind, (n: string) => string> = {
    component: (n) => `the ${n} component`,
    integration: (n) => `the ${n} integration`,
    database: () => 'the primary database',
    cache: () => 'the cache',
    queue: () => 'the event queue',
  };
  return steps.map((s) => words[s.targetKind](s.target) + (s.async ? ' (asynchronously)' : '')).join(', then ');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

