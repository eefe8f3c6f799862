import { stringify } from 'yaml';

/**
 * Generates a large valid spec for benchmarks: `entities` entities spread over services, each with
 * `endpointsPerEntity` generated endpoints (create, list, get, update, delete in that order).
 *
 * @example
 * const text = generateSpec({ entities: 100, endpointsPerEntity: 3 }); // 300 endpoints
 */
export function generateSpec({ entities, endpointsPerEntity }: { entities: number; endpointsPerEntity: number }): string {
  const names = Array.from({ length: entities }, (_, i) => `Thing${i}`);
  const services = Array.from({ length: Math.ceil(entities / 10) }, (_, i) => `service-${i}`);
  const components: Record<string, unknown> = {
    gateway: { kind: 'gateway', purpose: 'authentication and routing' },
  };
  services.forEach((s, i) => {
    components[s] = { kind: 'service', purpose: `manages things ${i * 10} to ${i * 10 + 9}`, owns: names.slice(i * 10, i * 10 + 10) };
  });
  const data: Record<string, unknown> = {
    User: { description: 'accounts', fields: { email: { type: 'email', unique: true, pii: true }, name: 'string?' } },
  };
  (components['service-0'] as { owns: string[] }).owns.push('User');
  const endpoints: Record<string, unknown> = {};
  const crud: [string, (p: string) => string][] = [
    ['create', (p) => `POST /${p}`],
    ['list', (p) => `GET /${p}`],
    ['get', (p) => `GET /${p}/{id}`],
    ['update', (p) => `PATCH /${p}/{id}`],
    ['delete', (p) => `DELETE /${p}/{id}`],
  ];
  names.forEach((n, i) => {
    data[n] = {
      description: `generated entity ${i}`,
      owner: 'owner',
      fields: {
        title: { type: 'string', maxLength: 200 },
        amount: { type: 'decimal', min: 0 },
        status: { type: 'enum', values: ['open', 'closed'], default: 'open' },
        owner: { ref: 'User', onDelete: 'cascade' },
        ...(i > 0 ? { parent: { ref: names[i - 1], required: false, onDelete: 'set-null' } } : {}),
        note: 'text?',
      },
    };
    const path = `things-${i}`;
    for (const [op, key] of crud.slice(0, endpointsPerEntity)) {
      endpoints[key(path)] = { does: `${op} ${n}`, roles: ['user', 'admin'], ...(op === 'create' ? {} : { scope: 'own' }) };
    }
  });
  const flows = Object.fromEntries(services.map((s, i) => [`flow-${i}`, {
    action: `a user creates a Thing${i * 10}`,
    endpoint: `POST /things-${i * 10}`,
    operation: 'write',
    steps: ['gateway', s, 'primary'],
  }]));
  const spec = {
    archspec: 1,
    system: { name: 'Bigco', type: 'generated benchmark system', purpose: 'exercise archspec at scale' },
    requirements: {
      functional: { FR1: { text: 'manage things', by: Object.keys(endpoints).slice(0, 10) } },
      data: [{ rule: 'encrypted-at-rest', fields: ['User.email'] }, { rule: 'retention', entity: 'User', keep: '400d' }],
      nonFunctional: {
        users: { concurrent: 100000, growth: '5%/month', horizon: '24 months' },
        traffic: { requestsPerUser: '2/min', peakFactor: 3, mix: { read: '80%', write: '20%' } },
        latency: { read: { p95: '100ms', p99: '250ms' }, write: { p95: '300ms', p99: '600ms' } },
        availability: '99.9%',
        compliance: ['GDPR', 'SOC2'],
        integrity: ['acknowledged writes are durable'],
      },
    },
    architecture: { style: 'microservices', components, storage: { primary: { engine: 'postgres', holds: ['User', ...names] }, cache: { engine: 'redis' } } },
    flows,
    data,
    api: { auth: { method: 'password+jwt', loginLimit: '5/min' }, endpoints },
    scalability: {
      horizontal: { components: ['gateway', ...services], mechanism: 'kubernetes-hpa' },
      instances: { min: 2, max: 200 },
      database: { approach: ['read-replicas'], readReplicas: 2 },
      loadBalancer: 'round-robin',
    },
    resilience: {
      redundancy: { primary: { approach: 'standby with failover', replicas: 2 } },
      detection: { probes: ['liveness', 'readiness'] },
      recovery: ['retry', 'failover', 'point-in-time-restore'],
    },
    security: {
      authz: 'rbac+ownership',
      roles: { user: names.flatMap((n) => [`${n}:create`, `${n}:read:own`, `${n}:update:own`, `${n}:delete:own`]), admin: ['*'] },
      encryption: { algorithm: 'aes-256-gcm', key: 'env:ARCHSPEC_KEY' },
      protections: ['bola', 'sql-injection', 'brute-force', 'mass-assignment'],
    },
    observability: {
      metrics: ['request-rate', 'error-rate', 'latency'],
      logs: { purpose: 'debugging and audit' },
      tracing: { tool: 'opentelemetry' },
    },
    deployment: { iac: ['kubernetes'], cicd: 'github-actions', environments: ['staging', 'prod'], rollback: { strategy: 'canary', on: ['slo-burn'] } },
  };
  return stringify(spec);
}
