/**
 * Where each placeholder of the system-design template (`{system_name}`, ...) lives in the spec and
 * what each output does with it. The table is the product's coverage map: a placeholder with no
 * spec field would be a gap. `docs/spec.md` renders it (`npm run docs:gen`), and a test keeps it
 * equal to the template's placeholder set and checks every `field` against the JSON Schema.
 *
 * `field` holds one or more spec paths joined by ` + `. In a path, `<name>` stands for a key the
 * user chooses (an entity, a component, an endpoint ...) and `[]` for any item of a list.
 * `design` and `runtime` describe commands that exist (`archspec design`, `archspec serve`); a part of
 * `runtime` not built yet ends in "(planned: ..., issue N)". `deploy` and `verify` describe what the
 * deployment generators and `archspec verify` are planned to do.
 *
 * @example
 * PLACEHOLDERS.find((p) => p.placeholder === '{db_scaling_approach}')?.field // 'scalability.database.approach'
 */

/** Headings of the template, in order; the opening sentence has none and is called 'Introduction'. */
export const TEMPLATE_SECTIONS = [
  'Introduction',
  'Functional Requirements',
  'Non-Functional Requirements',
  'High-Level Design',
  'Component Interactions',
  'Data Model',
  'API Design',
  'Scalability Approach',
  'Resilience and Fault Tolerance',
  'Security Considerations',
  'Monitoring and Observability',
  'Deployment Strategy',
] as const;

/** The innermost template heading a placeholder first appears under. */
export type TemplateSection = (typeof TEMPLATE_SECTIONS)[number];

/** One placeholder of the template and its home in the spec. */
export interface PlaceholderMapping {
  /** As written in the template, braces included. */
  placeholder: `{${string}}`;
  section: TemplateSection;
  /** Spec path(s) that fill it, joined by ` + `; `<name>` is a user-chosen key, `[]` a list item. */
  field: string;
  /** What the design document shows for it. */
  design: string;
  /** What `archspec serve` does with it today, with unbuilt parts marked "(planned: ..., issue N)". */
  runtime: string;
  /** What the deployment generators will do with it (planned). */
  deploy: string;
  /** What `archspec verify` will check with it (planned). */
  verify: string;
}

const NOT_USED = 'not used';

const requirement = {
  section: 'Functional Requirements',
  field: 'requirements.functional.<id>.text',
  design: 'listed by id; the traceability table shows the endpoints (`by`), flows and jobs that satisfy it, and an untraced requirement is a finding',
  runtime: 'the endpoints it is traced to are served and the jobs it is traced to run on their schedule',
  deploy: NOT_USED,
  verify: 'probes the endpoints it is traced to and reports the result per requirement',
} as const;

const integrationPoint = {
  section: 'Functional Requirements',
  field: 'requirements.integrations.<integration> + requirements.integrations.<integration>.purpose',
  design: 'integrations table (purpose, timeout, retries, breaker, bulkhead, fallback); a step of the flows that call it; its availability and latency (stated or assumed) enter the availability and latency budgets',
  runtime: '`ctx.integrations.<name>` in handlers: fetch with the declared timeout, jittered retries of idempotent calls, then the fallback (null with `fallback: allow`, else 503) behind a circuit breaker and a bulkhead, an SSRF guard refusing private, loopback and metadata addresses unless `allowPrivateNetwork` (connections pinned to the checked address, redirects refused) and a 1 MiB response limit; breaker state in /metrics and /readyz',
  deploy: 'its `env:NAME` URL becomes a required setting of every environment; egress to it is allowed',
  verify: 'makes the integration fail and checks the declared fallback is served',
} as const;

const compliance = {
  section: 'Non-Functional Requirements',
  field: 'requirements.nonFunctional.compliance',
  design: 'compliance matrix: each control of the standard met, partial or a gap, with the spec items that satisfy it and what would close the gap',
  runtime: 'pii and sensitive fields redacted from logs and pii shown only to its owner and `security.piiRoles`; a hash-chained audit trail of writes to audited entities (`archspec audit verify`); with an `erasable` rule, personal-data export and erasure routes under `/privacy`',
  deploy: 'encryption in transit and at rest settings the matrix relies on',
  verify: 'checks the controls that can be observed on a live system (erasure, audit rows, TLS)',
} as const;

const component = {
  section: 'High-Level Design',
  field: 'architecture.components.<component>',
  design: 'a node of the component diagram and a row of the components table (kind, owned entities, availability and latency, stated or assumed); a STRIDE threat table per component',
  runtime: 'its custom endpoints form an OpenAPI tag, the consumers of its `handlers` run on its events and its jobs run on their schedule; by default every component runs in one process, and `serve --component <name>` runs it alone: a service serves its endpoints, a worker its consumers and jobs, the gateway forwards each endpoint to its service at `ARCHSPEC_SERVICE_<NAME>_URL` (default `http://<name>:<port>`)',
  deploy: 'its own workload (Deployment and Service) when the style separates components',
  verify: 'its health is reported',
} as const;

const componentPurpose = {
  section: 'High-Level Design',
  field: 'architecture.components.<component>.purpose',
  design: 'the purpose column of the components table and the diagram label',
  runtime: 'description of the OpenAPI tag of its custom endpoints',
  deploy: 'description annotation of its workload',
  verify: NOT_USED,
} as const;

const action = {
  section: 'Component Interactions',
  field: 'flows.<flow>.action',
  design: 'title of the flow and of its sequence diagram',
  runtime: 'not used yet: the root span is named by method and route (planned: named by the flow\'s action, not in an issue yet)',
  deploy: NOT_USED,
  verify: 'one synthetic probe per flow that has an endpoint',
} as const;

const flowDescription = {
  section: 'Component Interactions',
  field: 'flows.<flow>.description + flows.<flow>.steps',
  design: 'the description (generated from the steps when absent); a sequence diagram of the steps, async steps drawn off the request path; the flow\'s latency budget and composite availability',
  runtime: 'a request has spans for the exchange, the handler and each storage call; the events it emits are delivered after the response through the outbox, each consumer in a span continuing the request\'s trace (planned: one span per declared step, not in an issue yet)',
  deploy: 'network policies allow the calls the steps make',
  verify: 'the trace of a probe request is compared with the declared steps',
} as const;

const entity = {
  section: 'Data Model',
  field: 'data.<Entity>',
  design: 'an entity of the ER diagram and a fields table',
  runtime: 'a table in the primary store, migrated at start; validation of its fields; the generated CRUD operations endpoints ask for with `does`, with ETags and soft delete where declared',
  deploy: 'its migration runs in the release pipeline',
  verify: 'a create-read-update-delete round trip through its generated endpoints',
} as const;

const entityData = {
  section: 'Data Model',
  field: 'data.<Entity>.description',
  design: 'caption of the entity\'s fields table',
  runtime: 'description of its tag in the OpenAPI document',
  deploy: NOT_USED,
  verify: NOT_USED,
} as const;

const attribute = {
  section: 'Data Model',
  field: 'data.<Entity>.fields.<field>',
  design: 'a row of the fields table (type, required, unique, default, pii, sensitive, encrypted, read-only) and an attribute in the ER diagram',
  runtime: 'a column with its constraints; input validated against it, unknown and read-only fields rejected with 422; pii redacted from logs and shown only to its owner and `security.piiRoles`; fields of an `encrypted-at-rest` rule stored as ciphertext (unique and filterable ones with a blind index)',
  deploy: 'a column in the migration',
  verify: 'sends invalid values and expects 422 problem+json',
} as const;

const endpoint = {
  section: 'API Design',
  field: 'api.endpoints.<endpoint>',
  design: 'a row of the endpoints table (method, path, operation, roles, scope, cache, rate limit) and of the access matrix',
  runtime: 'a route under `api.basePath`: the generated operation (`does`) or the user\'s `handler`, behind authentication, its rate limit (429), authorization, validation, the body limit and, with `signature`, an HMAC check; GET endpoints with a TTL cached (per caller where the answer depends on it); POSTs declared `idempotent` replay the stored answer of a repeated `Idempotency-Key`',
  deploy: 'ingress route; the OpenAPI document is published with the release',
  verify: 'contract test against the OpenAPI document; one authorization probe per role',
} as const;

const endpointPurpose = {
  section: 'API Design',
  field: 'api.endpoints.<endpoint>.summary',
  design: 'purpose column of the endpoints table; derived from `does` when absent ("Create a Link")',
  runtime: 'summary of the operation in the OpenAPI document',
  deploy: NOT_USED,
  verify: NOT_USED,
} as const;

const param = {
  section: 'API Design',
  field: 'api.endpoints.<endpoint>.query + api.endpoints.<endpoint>.body',
  design: 'parameters column: path parameters from the endpoint key, query and body fields; for generated endpoints the entity\'s writable fields, and for lists its filterable fields and a cursor',
  runtime: 'parameters validated; invalid and unknown ones rejected with 422 problem+json naming them',
  deploy: NOT_USED,
  verify: 'sends malformed and unknown parameters and expects 422',
} as const;

const attackVector = {
  section: 'Security Considerations',
  field: 'security.protections',
  design: 'the STRIDE threat tables mark which threats the declared protections mitigate; missing ones are findings',
  runtime: 'defences on whatever the list says: parameterized SQL, ownership checks (bola), field allow-lists (mass-assignment), login throttle (brute-force), body limit, security headers, signed webhooks, request rate limits (ddos, per endpoint), SSRF guard on integration calls (ssrf)',
  deploy: 'edge rate limits for ddos on the ingress',
  verify: 'one attack probe per protection (e.g. another user\'s id for bola, a read-only field for mass-assignment, a loopback URL for ssrf)',
} as const;

const metric = {
  section: 'Monitoring and Observability',
  field: 'observability.metrics',
  design: 'metrics list with what each measures',
  runtime: 'not read yet: /metrics serves archspec\'s own request count, error, duration, pool and process metrics in Prometheus text (planned: a series per listed metric, not in an issue yet)',
  deploy: 'scrape configuration and dashboard panels',
  verify: 'checks /metrics exposes every listed metric',
} as const;

/** Every placeholder of the template (77), in the order of first appearance. */
export const PLACEHOLDERS: readonly PlaceholderMapping[] = [
  // Introduction
  { placeholder: '{system_name}', section: 'Introduction', field: 'system.name', design: 'title of the document and of every diagram', runtime: 'service name in logs (`service`) and traces (`service.name`), the OpenAPI title and the start-up banner', deploy: 'names the image, workloads, Terraform resources and pipeline', verify: 'header of the verification report' },
  { placeholder: '{system_type}', section: 'Introduction', field: 'system.type', design: 'the opening sentence', runtime: 'with the purpose, the summary of the OpenAPI document', deploy: 'description label of the generated artifacts', verify: NOT_USED },
  { placeholder: '{system_purpose}', section: 'Introduction', field: 'system.purpose', design: 'the opening sentence', runtime: 'summary and description of the OpenAPI document', deploy: NOT_USED, verify: NOT_USED },
  // Functional requirements
  { placeholder: '{requirement1}', ...requirement },
  { placeholder: '{requirement2}', ...requirement },
  { placeholder: '{integration_point1}', ...integrationPoint },
  { placeholder: '{integration_point2}', ...integrationPoint },
  { placeholder: '{data_requirement}', section: 'Functional Requirements', field: 'requirements.data[]', design: 'data rules listed; encrypted fields marked in the fields tables; retention, backup, residency, audit and erasure feed the compliance matrix', runtime: 'enforced: encrypted-at-rest fields stored as AES-256-GCM ciphertext with blind indexes for lookups (`archspec keys rotate`); audit rows in the write\'s transaction, hash-chained; immutable entities refuse updates and deletes (409); retention purged hourly by the built-in `retention-purge` job; erasable subjects get export and erasure routes; residency and backup are deployment concerns', deploy: 'backup schedule from `rpo`, region pinned for residency', verify: 'reads stored ciphertext, finds the audit row of a write, erases a test subject' },
  // Non-functional requirements
  { placeholder: '{user_count}', section: 'Non-Functional Requirements', field: 'requirements.nonFunctional.users.concurrent', design: 'month 0 of the capacity plan: users x requests per user x peak factor give peak requests per second', runtime: NOT_USED, deploy: 'initial replica count from the plan\'s launch instances', verify: 'the load test drives the request rate of this many users' },
  { placeholder: '{growth_rate}', section: 'Non-Functional Requirements', field: 'requirements.nonFunctional.users.growth', design: 'the capacity plan month by month to the horizon (compound growth); a finding when the horizon needs more than `scalability.instances.max`', runtime: NOT_USED, deploy: 'maximum replicas checked against the horizon\'s need', verify: NOT_USED },
  { placeholder: '{response_time}', section: 'Non-Functional Requirements', field: 'requirements.nonFunctional.latency.<operation>', design: 'targets per percentile; each flow\'s latency budget; instances by Erlang C to meet the percentile (infeasible when one request\'s service time exceeds it); latency SLO burn-rate alerts', runtime: 'request-duration histogram with bucket bounds at the targets', deploy: 'latency SLO alert rules', verify: 'the load test measures the percentile and compares it with the target' },
  { placeholder: '{operation_type}', section: 'Non-Functional Requirements', field: 'requirements.nonFunctional.latency.<operation>', design: 'one row per operation type in the targets, traffic mix and capacity tables; endpoints and flows map to one (`operation`; default read for GET, write otherwise)', runtime: 'not used yet: request metrics are labelled by method, route and status class (planned: an `operation` label, not in an issue yet)', deploy: 'one SLO rule group per operation type', verify: 'results grouped by operation type' },
  { placeholder: '{availability_target}', section: 'Non-Functional Requirements', field: 'requirements.nonFunctional.availability', design: 'downtime allowed per day, week, 30-day month and year; each flow\'s composite availability against it; availability burn-rate alerts', runtime: 'request and 5xx counters in /metrics from which the SLO\'s good and bad requests are computed', deploy: 'multiwindow, multi-burn-rate alert rules', verify: 'success ratio during the run against the target' },
  { placeholder: '{compliance_standard1}', ...compliance },
  { placeholder: '{compliance_standard2}', ...compliance },
  { placeholder: '{data_integrity_requirement}', section: 'Non-Functional Requirements', field: 'requirements.nonFunctional.integrity', design: 'listed as the integrity guarantees', runtime: 'the writes of one request share one database transaction, rolled back on error together with the outbox rows of the events they emit and the audit rows of the writes they make', deploy: NOT_USED, verify: NOT_USED },
  // High-level design
  { placeholder: '{architecture_style}', section: 'High-Level Design', field: 'architecture.style', design: 'stated with the component diagram; style rules apply (microservices: each entity has exactly one owning service)', runtime: 'not read: every style runs as one process by default or as one process per component with `serve --component <name>`, from the same spec', deploy: 'one workload for monolith styles, one per component otherwise', verify: NOT_USED },
  { placeholder: '{component1}', ...component },
  { placeholder: '{component1_purpose}', ...componentPurpose },
  { placeholder: '{component2}', ...component },
  { placeholder: '{component2_purpose}', ...componentPurpose },
  { placeholder: '{component3}', ...component },
  { placeholder: '{component3_purpose}', ...componentPurpose },
  { placeholder: '{database_type}', section: 'High-Level Design', field: 'architecture.storage.primary.engine', design: 'the database node of the diagrams; its availability and latency (stated or assumed) in every flow that touches `primary`', runtime: 'the storage adapter: PostgreSQL (`DATABASE_URL`) or embedded SQLite; tables migrated from the data model at start, destructive changes only with `--allow-destructive`', deploy: 'the database resource (managed instance or StatefulSet)', verify: 'readiness fails while the database is unreachable' },
  { placeholder: '{data_type}', section: 'High-Level Design', field: 'architecture.storage.primary.holds', design: 'the entities stored in the primary database', runtime: 'the tables created in it', deploy: NOT_USED, verify: NOT_USED },
  // Component interactions
  { placeholder: '{action1}', ...action },
  { placeholder: '{flow1_description}', ...flowDescription },
  { placeholder: '{action2}', ...action },
  { placeholder: '{flow2_description}', ...flowDescription },
  { placeholder: '{background_process}', section: 'Component Interactions', field: 'jobs.<job> + architecture.components.<component>.consumes', design: 'jobs table (schedule, time zone, timeout, retries, component) and the event consumers of each event', runtime: 'events emitted through the transactional outbox are delivered to the `handlers` module of each consuming component, in one transaction per delivery, retried with backoff, then dead letters (`archspec events`); jobs run on their cron schedule in their time zone, each occurrence by exactly one instance (a lease in the database), with timeout, retries and run history (`archspec jobs`)', deploy: 'a scheduled job per job where the target has one (Kubernetes CronJob)', verify: 'job-run and dead-letter metrics observed' },
  { placeholder: '{process_description}', section: 'Component Interactions', field: 'jobs.<job>.does', design: 'the "does" column of the jobs table', runtime: 'describes the job; its `handler` module does it (`archspec jobs list` shows a job without one as documenting work done elsewhere)', deploy: NOT_USED, verify: NOT_USED },
  // Data model
  { placeholder: '{entity1}', ...entity },
  { placeholder: '{entity1_data}', ...entityData },
  { placeholder: '{attribute1}', ...attribute },
  { placeholder: '{attribute2}', ...attribute },
  { placeholder: '{entity2}', ...entity },
  { placeholder: '{entity2_data}', ...entityData },
  { placeholder: '{relationship_type}', section: 'Data Model', field: 'data.<Entity>.fields.<field>.ref + data.<Entity>.fields.<field>.many', design: 'derived from `ref` fields: many-to-one, or many-to-many with `many: true`, with required and `onDelete`; the edges of the ER diagram', runtime: 'foreign keys with the `onDelete` rule, join tables for `many`; earlier path parameters filter by the parent', deploy: 'foreign keys in the migration', verify: 'deletes a parent and checks cascade or restrict' },
  { placeholder: '{entity3}', ...entity },
  { placeholder: '{entity3_data}', ...entityData },
  { placeholder: '{attribute3}', section: 'Data Model', field: 'data.<Entity>.id', design: 'the primary identifier: field name, type and how it is generated (uuid by default, serial, short code or client-chosen)', runtime: 'primary key, generated on create; the last path parameter of get, update and delete', deploy: NOT_USED, verify: 'identifiers of created records have the declared form' },
  // API design
  { placeholder: '{endpoint1}', ...endpoint },
  { placeholder: '{endpoint1_purpose}', ...endpointPurpose },
  { placeholder: '{param1}', ...param },
  { placeholder: '{param2}', ...param },
  { placeholder: '{endpoint2}', ...endpoint },
  { placeholder: '{endpoint2_purpose}', ...endpointPurpose },
  { placeholder: '{return_data}', section: 'API Design', field: 'api.endpoints.<endpoint>.returns', design: 'returns column; derived for generated endpoints ("the created Link (201, Location header)")', runtime: 'entities as JSON with an ETag, lists as pages with a next cursor, errors as problem+json', deploy: NOT_USED, verify: 'contract test checks status codes and response schemas' },
  { placeholder: '{auth_method}', section: 'API Design', field: 'api.auth.method', design: 'authentication section: method, token lifetimes, API keys, login limit, MFA', runtime: 'password+jwt: sign-up, login and refresh with hashed passwords and signed tokens; api-key: hashed keys scoped to roles; oidc: tokens checked against the issuer\'s keys; none: anonymous', deploy: 'signing key or OIDC settings as secrets', verify: 'missing, expired and forged credentials get 401' },
  { placeholder: '{auth_detail}', section: 'API Design', field: 'api.auth.accessTtl + api.auth.refreshTtl + api.auth.apiKeys + api.auth.loginLimit + api.auth.mfa + api.auth.oidc', design: 'token lifetimes (15m and 30d assumed when absent), API keys, login limit, MFA, OIDC issuer and audience', runtime: 'access-token expiry, rotating refresh tokens with reuse detection, API keys, OIDC issuer and audience checks, login limit per account and address (429)', deploy: NOT_USED, verify: 'an expired token is refused; a reused refresh token revokes its family; the login limit holds' },
  // Scalability approach
  { placeholder: '{scalable_component}', section: 'Scalability Approach', field: 'scalability.horizontal.components', design: 'the components the capacity plan\'s instance counts apply to, within `scalability.instances`', runtime: '`serve --instances N` runs N stateless worker processes on one port, sharing the database (job and delivery leases); `REDIS_URL` shares their cache and rate-limit counters, `NATS_URL` moves events to JetStream', deploy: 'an autoscaler per component with min and max from `scalability.instances`', verify: 'latency holds under load while instances are added' },
  { placeholder: '{scaling_mechanism}', section: 'Scalability Approach', field: 'scalability.horizontal.mechanism', design: 'stated with the scaling `metric`', runtime: NOT_USED, deploy: 'kubernetes-hpa: HorizontalPodAutoscaler; autoscaling-group: Terraform group; serverless: function settings; manual: fixed replicas', verify: NOT_USED },
  { placeholder: '{db_scaling_approach}', section: 'Scalability Approach', field: 'scalability.database.approach', design: 'listed with read replicas and pool size; pool x instances is compared with the database connections in flight at the horizon (Little\'s law)', runtime: 'a PostgreSQL pool of `pool` connections, its use in /metrics; with `DATABASE_REPLICA_URLS`, record reads of GET requests go to the read replicas, with read-your-writes for signed-in users', deploy: 'replica count and pooler of the database resource', verify: 'pool saturation observed under load' },
  { placeholder: '{cache_type}', section: 'Scalability Approach', field: 'architecture.storage.cache.engine', design: 'the cache node of the diagrams; its availability and latency are assumptions', runtime: 'the cache of cached records, GET answers and `ctx.cache`, an LRU bounded by `maxEntries`; in process with the memory engine (one per instance), or in Redis shared by all instances when `REDIS_URL` is set (which also holds the rate-limit counters; a write through any instance invalidates every instance\'s entries; Redis down: served uncached, limits counted per instance)', deploy: 'a Redis resource when the engine is redis', verify: 'cache-hit ratio reported' },
  { placeholder: '{cached_data}', section: 'Scalability Approach', field: 'scalability.cache + api.endpoints.<endpoint>.cache', design: 'cache table: entity or endpoint and its TTL', runtime: 'an entity\'s records read through the cache by id; a GET endpoint\'s answers cached per caller where they can differ (one that `emits`: its handler\'s record reads instead); every committed write invalidates what it changed; `X-Cache: hit|miss`', deploy: NOT_USED, verify: 'repeated reads hit the cache; no read is staler than the TTL' },
  { placeholder: '{load_balancer_type}', section: 'Scalability Approach', field: 'scalability.loadBalancer', design: 'stated in the scalability section', runtime: NOT_USED, deploy: 'balancing algorithm of the load balancer or ingress', verify: NOT_USED },
  // Resilience and fault tolerance
  { placeholder: '{critical_component}', section: 'Resilience and Fault Tolerance', field: 'resilience.redundancy.<target>', design: 'replicas per component or store; each flow step\'s availability becomes 1 - (1 - a)^replicas; a synchronous step with one replica is a single point of failure finding', runtime: NOT_USED, deploy: 'replica count and zone spread of its workload; database standby', verify: 'stops one replica and checks requests keep succeeding' },
  { placeholder: '{redundancy_approach}', section: 'Resilience and Fault Tolerance', field: 'resilience.redundancy.<target>.approach', design: 'the approach column of the redundancy table', runtime: NOT_USED, deploy: NOT_USED, verify: NOT_USED },
  { placeholder: '{monitoring_approach}', section: 'Resilience and Fault Tolerance', field: 'resilience.detection', design: 'probes, interval (10s assumed) and failure threshold (3 assumed), hence the time to detect a failure', runtime: '/healthz (liveness) and /readyz (database reachable and migrated; each integration\'s breaker state as detail) ; a cache or event broker that is down never fails readiness (requests are served uncached, events wait in the outbox) and shows in the cache error and outbox metrics instead (planned: their state as readiness details, not in an issue yet)', deploy: 'probes of each workload with that interval and threshold; a synthetic probe job', verify: 'probes answer; readiness fails while a dependency is down' },
  { placeholder: '{recovery_mechanism}', section: 'Resilience and Fault Tolerance', field: 'resilience.recovery', design: 'listed', runtime: 'jittered retries of idempotent integration calls; a failed request\'s transaction rolled back; failing event deliveries retried with backoff, then parked as dead letters (`archspec events redrive`); events a crash left undelivered replayed from the outbox; POSTs with an Idempotency-Key replayed from their stored answer', deploy: 'failover and point-in-time-restore settings of the database resource', verify: 'fault injection: a failing consumer dead-letters; a broker outage is replayed from the outbox' },
  { placeholder: '{dependent_service}', section: 'Resilience and Fault Tolerance', field: 'requirements.integrations.<integration>.breaker', design: 'the integrations that have a breaker, with failure rate, window, half-open wait and fallback', runtime: 'a circuit breaker per integration with the declared failure rate, window and half-open wait; while open, calls fail fast to the fallback; its state is in /metrics (`archspec_integration_breaker_state`) and /readyz', deploy: 'an alert when a breaker stays open', verify: 'makes the integration fail: the breaker opens, the fallback is served, it closes after `halfOpenAfter`' },
  // Security considerations
  { placeholder: '{auth_protocol}', section: 'Security Considerations', field: 'api.auth.method', design: 'derived from the method: password+jwt is JWT bearer tokens after password login, oidc is OpenID Connect, api-key is a key header', runtime: 'the bearer token or `X-API-Key` is checked on every non-public endpoint (401 problem+json)', deploy: 'signing key or issuer settings as secrets', verify: 'forged and expired credentials are refused' },
  { placeholder: '{auth_model}', section: 'Security Considerations', field: 'security.authz + security.roles', design: 'access matrix: every endpoint against every role (yes, own, no) and anonymous access', runtime: 'role permission first, then ownership for `scope: own` and `:own` permissions', deploy: NOT_USED, verify: 'each role gets exactly what the matrix says; one user cannot reach another\'s records' },
  { placeholder: '{sensitive_data}', section: 'Security Considerations', field: 'requirements.data[].fields + data.<Entity>.fields.<field>.pii + data.<Entity>.fields.<field>.sensitive', design: 'derived: the fields of encrypted-at-rest rules plus the pii and sensitive fields', runtime: 'pii and sensitive fields redacted from logs; pii hidden from everyone but its owner and `piiRoles`; encrypted fields stored as ciphertext with the key from `security.encryption.key` (`archspec keys` rotates it)', deploy: 'the encryption key as a secret', verify: 'reads the database directly and finds ciphertext; finds no pii in logs' },
  { placeholder: '{encryption_method}', section: 'Security Considerations', field: 'security.encryption.algorithm + security.encryption.inTransit', design: 'algorithm at rest and TLS version in transit (tls1.2 assumed when absent)', runtime: 'encrypted fields are encrypted with that algorithm (AES-256-GCM or ChaCha20-Poly1305); in transit not enforced (TLS ends at the ingress)', deploy: 'minimum TLS version of the ingress', verify: 'TLS versions offered by the live URL' },
  { placeholder: '{attack_vector1}', ...attackVector },
  { placeholder: '{attack_vector2}', ...attackVector },
  // Monitoring and observability
  { placeholder: '{metric1}', ...metric },
  { placeholder: '{metric2}', ...metric },
  { placeholder: '{metric3}', ...metric },
  { placeholder: '{log_purpose}', section: 'Monitoring and Observability', field: 'observability.logs.purpose', design: 'logging strategy: purpose, redaction (pii assumed) and retention', runtime: 'one pino JSON line per request with request and trace ids, credentials and (per `redact`) pii and sensitive fields masked', deploy: 'log retention setting', verify: 'log lines carry request ids and no redacted values' },
  { placeholder: '{alert_condition}', section: 'Monitoring and Observability', field: 'observability.alerts[].when', design: 'derived SLO burn-rate alerts for the availability and every latency target (for 30 days: page at 14.4x over 1h/5m and 6x over 6h/30m, ticket at 1x over 3d/6h) plus the declared alerts', runtime: NOT_USED, deploy: 'Prometheus alert rules', verify: 'the rules are evaluated against the metrics of the run' },
  { placeholder: '{tracing_tool}', section: 'Monitoring and Observability', field: 'observability.tracing.tool', design: 'stated with exporter and sampling (10% assumed)', runtime: 'OpenTelemetry spans per request, handler and storage call at the declared sampling, exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, or to stdout with `exporter: stdout` (planned: a span per flow step, not in an issue yet)', deploy: 'exporter endpoint as a setting', verify: 'the trace of a probe request arrives' },
  // Deployment strategy
  { placeholder: '{iac_tool}', section: 'Deployment Strategy', field: 'deployment.iac', design: 'stated', runtime: NOT_USED, deploy: 'generates the listed artifacts (Kubernetes manifests, Terraform, Helm chart, docker-compose) and validates them offline', verify: NOT_USED },
  { placeholder: '{ci_cd_tool}', section: 'Deployment Strategy', field: 'deployment.cicd', design: 'stated', runtime: NOT_USED, deploy: 'a pipeline for it that checks the spec, tests, builds and promotes through the environments', verify: 'the pipeline runs the verification after each deployment' },
  { placeholder: '{environment_strategy}', section: 'Deployment Strategy', field: 'deployment.environments', design: 'promotion order', runtime: NOT_USED, deploy: 'one configuration per environment, promoted in this order', verify: 'run against each environment\'s URL' },
  { placeholder: '{failure_scenario}', section: 'Deployment Strategy', field: 'deployment.rollback.on', design: 'rollback triggers with the strategy (canary, blue-green, rolling)', runtime: NOT_USED, deploy: 'the release rolls back on these triggers (SLO burn, failed readiness, error rate, latency, crash loop, failed migration)', verify: 'a failing verification during a canary triggers the rollback' },
];
