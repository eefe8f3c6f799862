import { parseGrowth, parsePercent } from '../../spec/units.ts';
import { kebab, plural, words, type InitAnswers, type StarterStyle } from './answers.ts';

/**
 * Writes the starter archspec.yaml for a set of answers: every section of the template filled, the main
 * entity with full CRUD endpoints, a User entity, auth, roles, two flows, an event, one job, and a comment
 * on every recommended choice saying why. The result is valid (`archspec check` passes) for any valid answers.
 *
 * @example
 * const text = starterSpec({ ...recommendedAnswers('shop'), entity: 'Order', style: 'microservices' });
 */
export function starterSpec(a: InitAnswers): string {
  const n = names(a);
  return [header(a), requirements(a, n), architecture(a, n), behaviour(n), dataModel(n), api(n), operations(a, n)].join('\n');
}

type Names = ReturnType<typeof names>;

function names(a: InitAnswers) {
  const slug = kebab(a.entity);
  const target = parsePercent(a.availability);
  const horizonUsers = a.users * (1 + parseGrowth(a.growth)) ** 24;
  // 2 requests a minute per user, peak 3x average, 13 ms mean service time (80% reads at 10 ms, 20% writes at 25 ms), 70% busy.
  const peakRps = (horizonUsers * 2 * 3) / 60;
  return {
    entity: a.entity,
    prose: words(a.entity),
    aProse: `${/^[aeiou]/.test(words(a.entity)) ? 'an' : 'a'} ${words(a.entity)}`,
    path: `/${plural(slug)}`,
    service: `${slug}-service`,
    event: `${slug}.created`,
    job: `purge-deleted-${plural(slug)}`,
    replicas: target >= 0.9995 ? 3 : 2,
    peakRps: Math.ceil(peakRps),
    maxInstances: Math.max(4, Math.ceil((peakRps * 0.013) / 0.7)),
    distributed: a.style !== 'modular-monolith',
    gdpr: a.compliance.includes('GDPR'),
    strictAuth: a.compliance.some((c) => c === 'HIPAA' || c === 'PCI-DSS' || c === 'SOC2'),
    pci: a.compliance.includes('PCI-DSS'),
    logRetention: a.compliance.includes('HIPAA') ? '2190d' : a.compliance.some((c) => c === 'PCI-DSS' || c === 'SOC2') ? '365d' : '30d',
  };
}

/** Text as a YAML scalar: plain when that is unambiguous, otherwise double-quoted (JSON is valid YAML). */
function q(text: string): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return /^[A-Za-z][A-Za-z0-9 .'()/-]*$/.test(s) && !/^(y|n|yes|no|on|off|true|false|null)$/i.test(s) ? s : JSON.stringify(s);
}

const STYLE_WHY: Record<StarterStyle, string> = {
  'modular-monolith': 'one deployable until team or scale needs more; split later along `owns`',
  microservices: 'services deploy and scale on their own; each owns its data alone and talks to others by API or event',
  'event-driven': 'writes publish events and consumers react on their own time, so slow work never blocks a request',
};

function header(a: InitAnswers): string {
  return `# yaml-language-server: $schema=./archspec.schema.json
# (for completion in your editor, write that file once: archspec schema -o archspec.schema.json)
# Starter spec written by \`archspec init\`. Every recommended choice has a comment saying why; change
# anything, then run \`archspec check\` to validate and \`archspec design\` to see the computed analyses.
archspec: 1
system:
  name: ${q(a.name)}
  type: ${q(a.type)}
  purpose: ${q(a.purpose)}
`;
}

function requirements(a: InitAnswers, n: Names): string {
  const rules = [
    `    - { rule: encrypted-at-rest, fields: [User.email, User.name] }   # personal data; encrypting it is cheap`,
    `    - { rule: audit, entities: [User, ${n.entity}] }       # who changed what, for support and security reviews`,
    `    - { rule: backup, rpo: 15m, rto: 4h }                 # lose at most 15 minutes of writes, be back within 4 hours`,
  ];
  if (n.gdpr || a.compliance.includes('CCPA')) rules.push(`    - { rule: erasable, entity: User }                    # GDPR/CCPA: export and erase a person on request`);
  if (n.gdpr) rules.push(`    - { rule: residency, region: eu }                     # GDPR: keep personal data in the EU unless you have transfer safeguards`);
  if (a.compliance.includes('PCI-DSS')) rules.push(`    # PCI-DSS: never store card numbers; keep the processor's token in a field marked sensitive: true and encrypt it here.`);
  if (a.compliance.includes('HIPAA')) rules.push(`    - { rule: retention, entity: ${n.entity}, keep: 2190d }  # HIPAA: keep documentation 6 years; adjust to your records`);
  return `requirements:
  functional:
    FR1: { text: sign up with an email address and a password, by: [POST /users] }
    FR2: { text: create ${n.aProse}, by: [POST ${n.path}], flows: [create-${kebab(n.entity)}] }
    FR3: { text: find and manage their own ${plural(n.prose)}, by: [GET ${n.path}, "GET ${n.path}/{id}", "PATCH ${n.path}/{id}", "DELETE ${n.path}/{id}"], flows: [view-${kebab(n.entity)}] }
    FR4: { text: soft-deleted ${plural(n.prose)} are purged after 30 days, jobs: [${n.job}] }
  # External systems go here, each with a timeout, retries, a circuit breaker and a fallback, e.g.:
  # integrations:
  #   mailer: { purpose: send notifications, url: env:MAILER_URL, timeout: 2s, retry: 3,
  #             breaker: { failureRate: 50%, window: 30s, halfOpenAfter: 30s }, fallback: queue }
  data:
${rules.join('\n')}
  nonFunctional:
    users: { concurrent: ${a.users}, growth: ${a.growth}, horizon: 24 months }
    # Assumed until measured: 2 requests a minute per active user, peaks at 3x the average, mostly reads.
    traffic: { requestsPerUser: 2/min, peakFactor: 3, mix: { read: 80%, write: 20% } }
    latency:
      read: { p95: 200ms, p99: 500ms }     # feels instant in a UI
      write: { p95: 400ms, p99: 1s }
    availability: ${a.availability}
    compliance: [${a.compliance.join(', ')}]
    integrity:
      - acknowledged writes are durable
      - users only ever see and change their own ${plural(n.prose)}
`;
}

function architecture(a: InitAnswers, n: Names): string {
  return `architecture:
  style: ${a.style}   # ${STYLE_WHY[a.style]}
  components:
    gateway: { kind: gateway, purpose: "TLS termination, authentication, rate limiting and routing" }
    accounts: { kind: service, purpose: sign-up and accounts, owns: [User] }
    ${n.service}: { kind: service, purpose: ${q(`creating, finding and managing ${plural(n.prose)}`)}, owns: [${n.entity}] }
    worker: { kind: worker, purpose: background jobs and event handlers, consumes: [${n.event}] }
  storage:
    primary: { engine: postgres, holds: [User, ${n.entity}] }   # relational data with constraints and transactions
    ${n.distributed
      ? 'cache: { engine: redis }     # shared by every instance, so a write invalidates one copy\n    queue: { engine: nats }      # durable delivery between separately deployed components'
      : 'cache: { engine: memory }    # in-process: nothing to run until there are many instances\n    queue: { engine: local }     # outbox in the database, delivered in-process; switch to nats when you split'}
`;
}

function behaviour(n: Names): string {
  return `flows:
  create-${kebab(n.entity)}:
    action: a signed-in user creates ${n.aProse}
    endpoint: POST ${n.path}
    operation: write
    steps:
      - { to: gateway, does: authenticate and rate-limit }
      - { to: ${n.service}, does: validate the input }
      - { to: primary, does: insert the record and its outbox row in one transaction }
      - { to: queue, does: publish ${n.event}, async: true }
    emits: [${n.event}]
  view-${kebab(n.entity)}:
    action: a user opens one of their ${plural(n.prose)}
    endpoint: "GET ${n.path}/{id}"
    operation: read
    steps:
      - gateway
      - { to: ${n.service}, does: check ownership }
      - { to: cache, does: read the record (the database on a miss) }

events:
  ${n.event}:
    description: a user created ${n.aProse}
    producer: ${n.service}
    payload: { id: uuid, owner: uuid }
    # Handle it by adding to the worker: handlers: { ${n.event}: ./handlers/on-${kebab(n.entity)}-created.ts }

jobs:
  ${n.job}:
    schedule: "0 3 * * *"   # nightly, outside peak hours
    timezone: UTC
    does: permanently delete ${n.entity} records soft-deleted more than 30 days ago
    component: worker
    timeout: 10m
    retry: 2
`;
}

function dataModel(n: Names): string {
  return `data:
  User:
    description: people who sign in
    fields:
      email: { type: email, unique: true, pii: true }
      name: { type: string, maxLength: 100, required: false, pii: true }
      role: { type: enum, values: [user, admin], default: user, readOnly: true }   # only the server grants admin
  ${n.entity}:
    description: ${q(`${n.aProse} owned by one user`)}
    owner: owner        # enables scope: own, so users only reach their own records
    softDelete: true    # deletes are recoverable for 30 days (see the ${n.job} job)
    fields:
      name: { type: string, minLength: 1, maxLength: 200 }
      description: { type: text, maxLength: 5000, required: false }
      status: { type: enum, values: [draft, active, archived], default: draft, filterable: true }
      owner: { ref: User, onDelete: cascade }   # deleting an account deletes its ${plural(n.prose)}
`;
}

function api(n: Names): string {
  const loginLimit = n.pci ? '10/hour' : '5/min';   // PCI DSS 8.3.4: lock out after at most 10 failed attempts
  const auth = n.strictAuth
    ? `{ method: password+jwt, accessTtl: 15m, refreshTtl: 12h, loginLimit: ${loginLimit}, mfa: true }   # your compliance standards expect MFA and short sessions`
    : `{ method: password+jwt, accessTtl: 15m, refreshTtl: 30d, loginLimit: ${loginLimit} }   # short access tokens, rotating refresh tokens`;
  return `api:
  basePath: /api
  auth: ${auth}
  endpoints:
    POST /users: { does: create User, public: true, rateLimit: 10/hour, idempotent: true, summary: sign up }
    # Administrators correct account data on request (the right to rectification); User has no owner field to self-serve.
    GET /users/{id}: { does: get User, roles: [admin] }
    PATCH /users/{id}: { does: update User, roles: [admin] }
    POST ${n.path}: { does: create ${n.entity}, roles: [user, admin], idempotent: true, emits: [${n.event}] }   # idempotent: a retried POST creates one record
    GET ${n.path}: { does: list ${n.entity}, roles: [user, admin], scope: own, query: { status: string? } }
    GET ${n.path}/{id}: { does: get ${n.entity}, roles: [user, admin], scope: own }
    PATCH ${n.path}/{id}: { does: update ${n.entity}, roles: [user, admin], scope: own }
    DELETE ${n.path}/{id}: { does: delete ${n.entity}, roles: [user, admin], scope: own }
`;
}

function operations(a: InitAnswers, n: Names): string {
  const services = `[gateway, accounts, ${n.service}]`;
  return `scalability:
  horizontal: { components: ${services}, mechanism: kubernetes-hpa, metric: cpu 70% }   # stateless, so more copies means more capacity
  # max: about ${n.maxInstances} instances serve the 24-month peak (~${n.peakRps} req/s x 13 ms / 70% busy); archspec design computes it exactly.
  instances: { min: ${n.replicas}, max: ${Math.max(n.maxInstances, n.replicas)} }
  database: { approach: [connection-pooling${a.users >= 10000 ? ', read-replicas' : ''}], ${a.users >= 10000 ? 'readReplicas: 1, ' : ''}pool: 10 }
  cache: { ${n.entity}: 30s }   # short TTL: a stale read lasts at most 30 seconds
  loadBalancer: least-connections   # evens out slow requests better than round-robin
  capacity:
    serviceTime: { read: 10ms, write: 25ms }   # replace with measurements from a load test
    source: assumed
    dbTime: { read: 2ms, write: 6ms }

resilience:
  # ${n.replicas} copies of everything on the request path: what ${a.availability} needs (archspec design shows the budget).
  redundancy:
    gateway: { approach: instances in separate availability zones behind the load balancer, replicas: ${n.replicas} }
    accounts: { approach: stateless instances in separate zones, replicas: ${n.replicas} }
    ${n.service}: { approach: stateless instances in separate zones, replicas: ${n.replicas} }
    primary: { approach: standby database with automatic failover, replicas: ${n.replicas} }
    cache: { approach: ${n.distributed ? 'replica with automatic failover' : 'one in-process cache per instance'}, replicas: ${n.replicas} }
    worker: { approach: a second consumer takes over the queue and the jobs, replicas: 2 }
  detection: { probes: [liveness, readiness], interval: 10s, failureThreshold: 3 }
  recovery: [retry, outbox-replay, dead-letter, failover, point-in-time-restore]

security:
  authz: rbac+ownership   # roles say what, ownership says whose
  roles:
    user: [${n.entity}:create, ${n.entity}:read:own, ${n.entity}:update:own, ${n.entity}:delete:own, User:read:own]
    admin: ["*"]
  piiRoles: [admin]
  encryption: { algorithm: aes-256-gcm, key: env:ARCHSPEC_KEY, inTransit: tls1.3 }   # the key comes from the environment, never the spec
  protections: [bola, brute-force, credential-stuffing, mass-assignment, sql-injection, xss, enumeration${n.pci ? ', card-testing' : ''}]

observability:
  metrics: [request-rate, error-rate, latency, saturation, db-pool, outbox-lag, job-runs]   # the golden signals plus the async parts
  logs: { purpose: request tracing and security audit, redact: pii, retention: ${n.logRetention} }   # ${n.logRetention === '30d' ? 'enough to investigate an incident' : 'what your compliance standards ask of audit logs'}
  alerts:
    - { name: failed sign-ins, when: "login failures > 50 in 5m", severity: ticket }   # credential stuffing shows up here first
    - { name: nightly purge failed, when: "${n.job} failed twice in a row", severity: ticket }
  tracing: { tool: opentelemetry, exporter: otlp, sampling: 10% }   # 10% keeps cost low and still catches slow paths

deployment:
  iac: [kubernetes, terraform]
  cicd: github-actions
  environments: [dev, staging, prod]
  rollback: { strategy: canary, on: [slo-burn, failed-readiness, error-rate] }   # a bad release meets a few users, then rolls back by itself
  region: ${n.gdpr ? 'eu-west-1' : 'us-east-1'}
`;
}
