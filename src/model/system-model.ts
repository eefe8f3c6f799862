import type { SourceLocation } from '../diagnostics/diagnostic.ts';
import type {
  ARCHITECTURE_STYLES, COMPONENT_KINDS, DATABASE_ENGINES, CACHE_ENGINES, QUEUE_ENGINES, COMPLIANCE_STANDARDS,
  AUTH_METHODS, AUTHZ_MODELS, PROTECTIONS, METRICS, IAC_TOOLS, CICD_TOOLS, ROLLBACK_TRIGGERS, SCALING_MECHANISMS,
  LOAD_BALANCERS, DB_SCALING, RECOVERY, ScalarType,
} from '../spec/schema/index.ts';

/**
 * Phase 2 output: the validated, normalized system. Durations are milliseconds, percentages are
 * fractions, references are resolved names, defaults are filled (and flagged `assumed` where the
 * figure is an assumption the user should replace). Every item keeps `at` (its place in the user's
 * text) and `path` (its spec path) so outputs can point back at the spec. Deeply frozen.
 */
export interface SystemModel {
  file: string;
  system: { name: string; type: string; purpose: string };
  requirements: Requirements;
  architecture: Architecture;
  flows: Flow[];
  events: DomainEvent[];
  jobs: Job[];
  entities: Entity[];
  relationships: Relationship[];
  api: Api;
  scalability: Scalability;
  resilience: Resilience;
  security: Security;
  observability: Observability;
  deployment: Deployment;
}

/** Where a model item came from. */
export interface Located {
  at: SourceLocation;
  path: string;
}

/** A figure with a flag saying whether the user stated it or archspec assumed it. */
export interface Figure {
  value: number;
  assumed: boolean;
}

export type ComplianceStandard = (typeof COMPLIANCE_STANDARDS)[number];
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

export interface FunctionalRequirement extends Located {
  id: string;
  text: string;
  endpoints: string[];
  flows: string[];
  jobs: string[];
}

export interface Integration extends Located {
  name: string;
  purpose: string;
  url: string;
  timeoutMs?: number;
  retries: number;
  idempotent: boolean;
  breaker?: { failureRate: number; windowMs: number; halfOpenAfterMs: number; minimumCalls: number };
  bulkhead?: number;
  fallback?: 'allow' | 'deny' | 'cached' | 'queue' | 'error';
  availability: Figure;
  latencyMs: Figure;
  allowPrivateNetwork: boolean;
}

export type DataRule = Located &
  (
    | { rule: 'encrypted-at-rest'; fields: string[] }
    | { rule: 'retention'; entity: string; keepMs: number; keepText: string }
    | { rule: 'audit'; entities: string[] }
    | { rule: 'immutable'; entities: string[] }
    | { rule: 'residency'; region: string }
    | { rule: 'backup'; rpoMs: number; rtoMs: number }
    | { rule: 'erasable'; entity: string }
  );

/** One latency target: `quantile` 0.95 means p95. */
export interface LatencyTarget {
  label: string;
  quantile: number;
  ms: number;
}

export interface NonFunctional {
  users: { concurrent: number; monthlyGrowth: number; growthText: string; horizonMonths: number };
  traffic: { requestsPerUserPerSecond: Figure; peakFactor: Figure; mix: Record<string, number>; mixAssumed: boolean };
  /** Operation type -> targets, ascending by quantile. */
  latency: Record<string, LatencyTarget[]>;
  availability: number;
  sloWindowMs: number;
  compliance: ComplianceStandard[];
  integrity: string[];
}

export interface Requirements {
  functional: FunctionalRequirement[];
  integrations: Integration[];
  data: DataRule[];
  nonFunctional: NonFunctional;
}

export interface Component extends Located {
  name: string;
  kind: ComponentKind;
  purpose: string;
  owns: string[];
  consumes: string[];
  handlers: Record<string, string>;
  availability: Figure;
  latencyMs: Figure;
}

export interface Database extends Located {
  engine: (typeof DATABASE_ENGINES)[number];
  holds: string[];
  purpose?: string;
  availability: Figure;
  latencyMs: Figure;
}

export interface Architecture {
  style: (typeof ARCHITECTURE_STYLES)[number];
  components: Component[];
  storage: {
    primary: Database;
    cache?: { engine: (typeof CACHE_ENGINES)[number]; maxEntries: number; availability: Figure; latencyMs: Figure } & Located;
    queue?: { engine: (typeof QUEUE_ENGINES)[number]; availability: Figure; latencyMs: Figure } & Located;
  };
}

/** What a flow step or redundancy entry refers to. */
export type TargetKind = 'component' | 'integration' | 'database' | 'cache' | 'queue';

export interface FlowStep extends Located {
  target: string;
  targetKind: TargetKind;
  does?: string;
  budgetMs?: number;
  async: boolean;
}

export interface Flow extends Located {
  name: string;
  action: string;
  description: string;
  descriptionGenerated: boolean;
  operation: string;
  steps: FlowStep[];
  emits: string[];
  endpoint?: string;
}

export interface DomainEvent extends Located {
  name: string;
  description: string;
  producer?: string;
  payload: Record<string, string>;
  consumers: string[];
}

export interface Job extends Located {
  name: string;
  schedule: string;
  timezone: string;
  does: string;
  handler?: string;
  component?: string;
  timeoutMs?: number;
  retries: number;
}

export interface Field extends Located {
  name: string;
  type: ScalarType | 'ref';
  description?: string;
  required: boolean;
  unique: boolean;
  default?: string | number | boolean;
  values?: string[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  pii: boolean;
  sensitive: boolean;
  readOnly: boolean;
  filterable: boolean;
  /** Encrypted at rest (from an `encrypted-at-rest` data rule). */
  encrypted: boolean;
  ref?: { entity: string; many: boolean; onDelete: 'cascade' | 'restrict' | 'set-null' };
}

export interface Entity extends Located {
  name: string;
  description?: string;
  id: { field: string; type: 'uuid' | 'integer' | 'string'; generate: 'uuid' | 'serial' | 'short' | 'client' };
  fields: Field[];
  owner?: string;
  softDelete: boolean;
  timestamps: boolean;
}

export interface Relationship {
  from: string;
  field: string;
  to: string;
  kind: 'many-to-one' | 'many-to-many';
  required: boolean;
  onDelete: 'cascade' | 'restrict' | 'set-null';
}

export type CrudOperation = 'create' | 'list' | 'get' | 'update' | 'delete';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Endpoint extends Located {
  key: string;
  method: HttpMethod;
  /** URL path as written in the key, without the API base path (`path` is the spec path, from Located). */
  route: string;
  pathParams: string[];
  operation: CrudOperation | 'custom';
  entity?: string;
  handler?: string;
  summary: string;
  roles: string[];
  public: boolean;
  /** HMAC signature check for machine callers such as webhooks. */
  signature?: { header: string; secret: string; algorithm: 'hmac-sha256' | 'hmac-sha512' };
  scope: 'own' | 'all';
  query: Field[];
  body: Field[];
  returns: string;
  cacheMs?: number;
  rateLimit?: RateLimit;
  idempotent: boolean;
  emits: string[];
  component?: string;
  latencyOperation: string;
}

/**
 * Whose requests share one budget: `caller` is the API key when the request uses one, else the
 * signed-in user, else the client IP (the string form of `rateLimit`); `endpoint` is one budget
 * shared by every caller of the endpoint.
 */
export type RateLimitScope = 'caller' | 'user' | 'apiKey' | 'ip' | 'endpoint';

/** One limit of an endpoint: at most `max` requests per fixed window of `windowMs` for each `per`. */
export interface RateLimitRule {
  per: RateLimitScope;
  /** The rate as written, e.g. `60/min`. */
  rate: string;
  perSecond: number;
  /** Requests admitted per window: the rate's count (a fractional rate widens the window instead: 0.5/s is 1 per 2 s). */
  max: number;
  windowMs: number;
}

/** An endpoint's `rateLimit`; a request must stay within every rule. */
export interface RateLimit {
  /** As written for the string form (`60/min`, per caller); the mapping as rates and scopes: `60/min per user, 600/min per IP`. */
  text: string;
  /** For people, always naming the scope: `60/min per caller`, `60/min per user, 600/min per IP`. */
  description: string;
  rules: RateLimitRule[];
}

export interface Api {
  basePath: string;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  auth: {
    method: (typeof AUTH_METHODS)[number];
    apiKeys: boolean;
    accessTtlMs: number;
    refreshTtlMs: number;
    userEntity: string;
    oidc?: { issuer: string; audience: string; jwksUrl?: string };
    loginLimit?: { perSecond: number; text: string };
    mfa: boolean;
  } & Located;
  endpoints: Endpoint[];
}

export interface Scalability extends Located {
  horizontal: { components: string[]; mechanism: (typeof SCALING_MECHANISMS)[number]; metric?: string };
  instances: { min: number; max: number };
  database: { approach: (typeof DB_SCALING)[number][]; readReplicas: number; pool: number };
  /** Entity name or endpoint key -> TTL. */
  cache: { target: string; targetKind: 'entity' | 'endpoint'; ttlMs: number; text: string }[];
  loadBalancer: (typeof LOAD_BALANCERS)[number];
  capacity: {
    serviceTimeMs: Record<string, Figure>;
    source: 'assumed' | 'measured';
    serversPerInstance: number;
    dbTimeMs: Record<string, Figure>;
  };
}

export interface Redundancy extends Located {
  target: string;
  targetKind: TargetKind;
  approach: string;
  replicas: number;
}

export interface Resilience {
  redundancy: Redundancy[];
  detection: { probes: string[]; intervalMs: number; failureThreshold: number } & Located;
  recovery: (typeof RECOVERY)[number][];
}

export interface Permission {
  text: string;
  /** Entity name or `*`. */
  entity: string;
  /** create | read | update | delete | `*`. */
  action: string;
  scope: 'own' | 'all';
}

export interface Role extends Located {
  name: string;
  permissions: Permission[];
}

export interface Security extends Located {
  authz: (typeof AUTHZ_MODELS)[number];
  roles: Role[];
  piiRoles: string[];
  encryption: { algorithm: string; key: string; inTransit: string; fields: string[] };
  protections: (typeof PROTECTIONS)[number][];
}

export interface Observability extends Located {
  metrics: (typeof METRICS)[number][];
  logs: { purpose: string; redact: 'pii' | 'sensitive' | 'none'; retentionMs?: number };
  alerts: { name: string; when: string; severity: 'page' | 'ticket' }[];
  tracing: { tool: 'opentelemetry' | 'none'; exporter: 'otlp' | 'stdout' | 'none'; sampling: number };
}

export interface Deployment extends Located {
  iac: (typeof IAC_TOOLS)[number][];
  cicd: (typeof CICD_TOOLS)[number];
  environments: string[];
  rollback: { strategy: 'canary' | 'blue-green' | 'rolling'; on: (typeof ROLLBACK_TRIGGERS)[number][] };
  region?: string;
}
