import { z } from 'zod';
import { obj, text, unit, oneOf, componentName, urlRef, name } from '../schema-kit.ts';

/** Compliance standards archspec knows controls for. */
export const COMPLIANCE_STANDARDS = ['GDPR', 'HIPAA', 'SOC2', 'PCI-DSS', 'ISO27001', 'CCPA'] as const;

const requirementId = name(/^[A-Z]+[A-Z0-9-]*\d+$/, 'requirement ids are upper-case with a number, e.g. FR1, FR-12');
const endpointKey = z.string();

export const functionalRequirement = obj({
  text: text('What the system must let users do. Fills {requirement1}, {requirement2}, ...'),
  by: z.array(endpointKey).optional().describe('Endpoints that satisfy it, e.g. ["POST /links"] (traceability).'),
  flows: z.array(z.string()).optional().describe('Flows that satisfy it (traceability).'),
  jobs: z.array(z.string()).optional().describe('Jobs that satisfy it (traceability).'),
});

export const breaker = obj({
  failureRate: unit('percent', 'Failure share in the window that opens the breaker, e.g. 50%.'),
  window: unit('duration', 'Sliding window the failure rate is measured over, e.g. 30s.'),
  halfOpenAfter: unit('duration', 'Time an open breaker waits before a trial call, e.g. 10s.'),
  minimumCalls: z.number().int().positive().optional().describe('Calls needed in the window before it can open (default 10).'),
});

export const integration = obj({
  purpose: text('Why the system calls it. Fills the integration part of {integration_point1}/{integration_point2}.'),
  url: urlRef.describe('Base URL, or env:NAME to read it at run time.'),
  timeout: unit('duration', 'Per-attempt timeout, e.g. 300ms.').optional(),
  retry: z.number().int().min(0).max(10).optional().describe('Retries after the first attempt (jittered backoff).'),
  idempotent: z.boolean().optional().describe('Whether calls may be retried safely (default true for reads).'),
  breaker: breaker.optional().describe('Circuit breaker; fills {dependent_service} when present.'),
  bulkhead: z.number().int().positive().optional().describe('Maximum calls in flight at once.'),
  fallback: oneOf(['allow', 'deny', 'cached', 'queue', 'error'], 'What callers get when the integration fails.').optional(),
  availability: unit('percent', 'Published availability of the integration (for the availability budget).').optional(),
  latency: unit('duration', 'Typical latency of one call (for the latency budget).').optional(),
  allowPrivateNetwork: z.boolean().optional().describe('Allow private/loopback addresses (SSRF guard is on by default).'),
});

export const dataRule = z.discriminatedUnion('rule', [
  obj({ rule: z.literal('encrypted-at-rest'), fields: z.array(z.string()).min(1).describe('Entity.field list, e.g. [User.email].') }),
  obj({ rule: z.literal('retention'), entity: z.string(), keep: unit('duration', 'How long records are kept, e.g. 400d.') }),
  obj({ rule: z.literal('audit'), entities: z.array(z.string()).min(1).describe('Entities whose every write is audited.') }),
  obj({ rule: z.literal('immutable'), entities: z.array(z.string()).min(1).describe('Entities whose records are never updated.') }),
  obj({ rule: z.literal('residency'), region: text('Where data must stay, e.g. eu.') }),
  obj({ rule: z.literal('backup'), rpo: unit('duration', 'Recovery point objective.'), rto: unit('duration', 'Recovery time objective.') }),
  obj({ rule: z.literal('erasable'), entity: z.string().describe('Entity holding a data subject; GDPR export and erasure start here.') }),
], { error: 'a data rule needs `rule:` one of encrypted-at-rest, retention, audit, immutable, residency, backup, erasable' });

export const latencyTarget = obj({
  p50: unit('duration', 'Median target.').optional(),
  p90: unit('duration', '90th percentile target.').optional(),
  p95: unit('duration', '95th percentile target.').optional(),
  p99: unit('duration', '99th percentile target.').optional(),
  p999: unit('duration', '99.9th percentile target.').optional(),
}, 'Latency targets by percentile for one operation type. Fills {response_time}.');

export const nonFunctional = obj({
  users: obj({
    concurrent: z.number().int().positive().describe('Concurrent users at launch. Fills {user_count}.'),
    growth: unit('growth', 'Compound growth. Fills {growth_rate}.'),
    horizon: unit('horizon', 'How far ahead the capacity plan looks, e.g. 24 months.').optional(),
  }),
  traffic: obj({
    requestsPerUser: unit('rate', 'Requests one active user makes, e.g. 6/min.'),
    peakFactor: z.number().min(1).max(100).optional().describe('Peak-to-average ratio (default 3).'),
    mix: z.record(z.string(), unit('percent')).optional().describe('Share of requests per operation type, e.g. { read: 90%, write: 10% }.'),
  }).optional(),
  latency: z.record(name(/^[a-z][a-z-]*$/, 'operation types are lower-case words, e.g. read, write, search'), latencyTarget)
    .describe('Targets per operation type. Keys fill {operation_type}.'),
  availability: unit('percent', 'Availability SLO over 30 days. Fills {availability_target}.'),
  sloWindow: unit('duration', 'SLO window (default 30d).').optional(),
  compliance: z.array(oneOf(COMPLIANCE_STANDARDS)).describe('Standards to comply with. Fills {compliance_standard1}, {compliance_standard2}.'),
  integrity: z.array(text()).min(1).describe('Data integrity guarantees. Fills {data_integrity_requirement}.'),
});

export const requirements = obj({
  functional: z.record(requirementId, functionalRequirement).describe('Functional requirements by id.'),
  integrations: z.record(componentName, integration).optional().describe('External systems. Fills {integration_point1}, {integration_point2}.'),
  data: z.array(dataRule).describe('Data rules. Fills {data_requirement}.'),
  nonFunctional,
});
