import { z } from 'zod';
import { obj, text, unit, oneOf, secretRef } from '../schema-kit.ts';

export const SCALING_MECHANISMS = ['kubernetes-hpa', 'autoscaling-group', 'serverless', 'manual'] as const;
export const LOAD_BALANCERS = ['round-robin', 'least-connections', 'ip-hash', 'weighted', 'layer7-path'] as const;
export const DB_SCALING = ['read-replicas', 'sharding', 'partitioning', 'vertical', 'connection-pooling'] as const;
export const RECOVERY = ['retry', 'dead-letter', 'outbox-replay', 'failover', 'point-in-time-restore', 'idempotent-replay', 'compensation'] as const;
export const AUTHZ_MODELS = ['rbac', 'abac', 'rbac+ownership'] as const;
export const PROTECTIONS = [
  'sql-injection', 'xss', 'csrf', 'ssrf', 'bola', 'mass-assignment', 'brute-force', 'credential-stuffing',
  'ddos', 'replay', 'token-theft', 'enumeration', 'clickjacking', 'path-traversal', 'xxe', 'card-testing',
] as const;
export const METRICS = [
  'request-rate', 'error-rate', 'latency', 'saturation', 'db-pool', 'cache-hit-ratio', 'outbox-lag',
  'dead-letters', 'breaker-state', 'job-runs', 'queue-depth', 'business',
] as const;
export const IAC_TOOLS = ['kubernetes', 'terraform', 'helm', 'docker-compose'] as const;
export const CICD_TOOLS = ['github-actions', 'gitlab-ci'] as const;
export const ROLLBACK_TRIGGERS = ['slo-burn', 'failed-readiness', 'error-rate', 'latency', 'crash-loop', 'failed-migration'] as const;

export const scalability = obj({
  horizontal: obj({
    components: z.array(z.string()).min(1).describe('Components scaled out. Fills {scalable_component}.'),
    mechanism: oneOf(SCALING_MECHANISMS, 'Fills {scaling_mechanism}.'),
    metric: text('What drives scaling, e.g. cpu 70%.').optional(),
  }),
  instances: obj({
    min: z.number().int().min(1).describe('Instances always running (also the default redundancy of scaled components).'),
    max: z.number().int().min(1).describe('Upper bound for autoscaling; the capacity plan warns when the horizon needs more.'),
  }).describe('Instance count bounds of each scaled component.'),
  database: obj({
    approach: z.array(oneOf(DB_SCALING)).min(1).describe('Fills {db_scaling_approach}.'),
    readReplicas: z.number().int().min(0).optional().describe('Read replicas serving reads.'),
    pool: z.number().int().positive().optional().describe('Connections per instance (default 10).'),
  }),
  cache: z.record(z.string(), unit('duration')).optional().describe('Entity or endpoint -> TTL. Fills {cached_data}.'),
  loadBalancer: oneOf(LOAD_BALANCERS, 'Fills {load_balancer_type}.'),
  capacity: obj({
    serviceTime: z.record(z.string(), unit('duration')).describe('Mean service time of one request per operation type on one instance.'),
    source: oneOf(['assumed', 'measured'], 'Whether the service times are assumptions or measurements.').optional(),
    serversPerInstance: z.number().int().positive().optional().describe('Requests one instance serves in parallel (default 1: one event loop).'),
    dbTime: z.record(z.string(), unit('duration')).optional().describe('Database time per request per operation type (Little\'s law).'),
  }).optional(),
});

export const resilience = obj({
  redundancy: z.record(z.string(), obj({
    approach: text('How it is made redundant. Fills {redundancy_approach}.'),
    replicas: z.number().int().min(1).describe('Copies running at once.'),
  })).describe('Component or storage -> redundancy. Keys fill {critical_component}.'),
  detection: obj({
    probes: z.array(oneOf(['liveness', 'readiness', 'startup', 'synthetic', 'heartbeat'])).min(1).describe('How failures are noticed.'),
    interval: unit('duration', 'Time between probes (default 10s).').optional(),
    failureThreshold: z.number().int().positive().optional().describe('Failed probes before an instance is replaced (default 3).'),
  }).describe('Failure detection. Fills {monitoring_approach}.'),
  recovery: z.array(oneOf(RECOVERY)).min(1).describe('Fills {recovery_mechanism}.'),
});

export const security = obj({
  authz: oneOf(AUTHZ_MODELS, 'Fills {auth_model}.'),
  roles: z.record(z.string(), z.array(z.string())).describe('Role -> permissions "Entity:action[:own]" or "*".'),
  piiRoles: z.array(z.string()).optional().describe('Roles that may see PII fields (default: admin).'),
  encryption: obj({
    algorithm: oneOf(['aes-256-gcm', 'chacha20-poly1305'], 'Fills {encryption_method}.'),
    key: secretRef.describe('Where the key comes from.'),
    inTransit: oneOf(['tls1.2', 'tls1.3'], 'Minimum TLS version (default tls1.2).').optional(),
  }),
  protections: z.array(oneOf(PROTECTIONS)).min(1).describe('Attack vectors defended. Fills {attack_vector1}, {attack_vector2}.'),
});

export const observability = obj({
  metrics: z.array(oneOf(METRICS)).min(1).describe('Fills {metric1}, {metric2}, {metric3}.'),
  logs: obj({
    purpose: text('Fills {log_purpose}.'),
    redact: oneOf(['pii', 'sensitive', 'none'], 'Fields masked in logs: pii (pii and sensitive fields), sensitive only, or none (default pii).').optional(),
    retention: unit('duration', 'How long logs are kept.').optional(),
  }),
  alerts: z.array(obj({
    name: text('Alert name.'),
    when: text('Condition, e.g. "error-rate > 2% for 5m". Fills {alert_condition}.'),
    severity: oneOf(['page', 'ticket'], 'page wakes someone; ticket waits for working hours.'),
  })).optional().describe('Alerts beyond the SLO burn-rate alerts archspec derives.'),
  tracing: obj({
    tool: oneOf(['opentelemetry', 'none'], 'Fills {tracing_tool}.'),
    exporter: oneOf(['otlp', 'stdout', 'none'], 'Where spans go (default otlp with opentelemetry).').optional(),
    sampling: unit('percent', 'Share of traces kept (default 10%).').optional(),
  }),
});

export const deployment = obj({
  iac: z.array(oneOf(IAC_TOOLS)).min(1).describe('Fills {iac_tool}.'),
  cicd: oneOf(CICD_TOOLS, 'Fills {ci_cd_tool}.'),
  environments: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(1).describe('Promotion order. Fills {environment_strategy}.'),
  rollback: obj({
    strategy: oneOf(['canary', 'blue-green', 'rolling'], 'How a release reaches users and is undone.'),
    on: z.array(oneOf(ROLLBACK_TRIGGERS)).min(1).describe('Fills {failure_scenario}.'),
  }),
  region: z.string().optional().describe('Cloud region of production, e.g. eu-west-1.'),
});
