import { z } from 'zod';
import { obj, text, unit, oneOf, componentName, eventName, entityName } from '../schema-kit.ts';

export const ARCHITECTURE_STYLES = ['modular-monolith', 'microservices', 'event-driven', 'monolith', 'serverless'] as const;
export const COMPONENT_KINDS = ['gateway', 'service', 'worker', 'frontend', 'scheduler'] as const;
export const DATABASE_ENGINES = ['postgres', 'sqlite', 'mysql'] as const;
export const CACHE_ENGINES = ['memory', 'redis'] as const;
export const QUEUE_ENGINES = ['local', 'nats'] as const;

export const component = obj({
  kind: oneOf(COMPONENT_KINDS, 'What the component is.'),
  purpose: text('What it handles. Fills {component1_purpose}, {component2_purpose}, ...'),
  owns: z.array(entityName).optional().describe('Entities whose data this component owns.'),
  consumes: z.array(eventName).optional().describe('Events this worker handles.'),
  handlers: z.record(eventName, z.string()).optional().describe('Event -> TypeScript module handling it (workers).'),
  availability: unit('percent', 'Availability of one instance (default 99.5%, an assumption).').optional(),
  latency: unit('duration', 'Typical time this component adds to a request (for the latency budget).').optional(),
});

export const database = obj({
  engine: oneOf(DATABASE_ENGINES, 'Database engine. Fills {database_type}.'),
  holds: z.array(entityName).min(1).describe('Entities stored here. Fills {data_type}.'),
  purpose: text('What the store is for, in words.').optional(),
  availability: unit('percent', 'Availability of one database node (default 99.95%).').optional(),
  latency: unit('duration', 'Typical query time (default 5ms).').optional(),
});

export const storage = obj({
  primary: database.describe('The system-of-record database.'),
  cache: obj({
    engine: oneOf(CACHE_ENGINES, 'Cache engine. Fills {cache_type}.'),
    maxEntries: z.number().int().positive().optional().describe('Size bound of the cache (default 10000).'),
    availability: unit('percent', 'Availability of one cache node (default 99.9%).').optional(),
    latency: unit('duration', 'Typical cache read time (default 1ms).').optional(),
  }).optional().describe('Cache for reads and rate-limit counters.'),
  queue: obj({
    engine: oneOf(QUEUE_ENGINES, 'Event transport.'),
    availability: unit('percent', 'Availability of one broker node (default 99.9%).').optional(),
    latency: unit('duration', 'Typical publish time (default 2ms).').optional(),
  }).optional().describe('Transport for events and jobs.'),
});

export const architecture = obj({
  style: oneOf(ARCHITECTURE_STYLES, 'Fills {architecture_style}.'),
  components: z.record(componentName, component).describe('Components. Keys fill {component1}, {component2}, {component3}.'),
  storage,
});

export const flowStep = z.union([
  z.string(),
  obj({
    to: z.string().describe('Component, integration, or storage (primary, cache, queue).'),
    does: text('What happens at this step.').optional(),
    latency: unit('duration', 'Latency budget reserved for this step.').optional(),
    async: z.boolean().optional().describe('Fire-and-forget: not on the request path.'),
  }),
]);

export const flow = obj({
  action: text('What the user does. Fills {action1}, {action2}.'),
  description: text('How the request flows, in words. Fills {flow1_description}, {flow2_description}; generated from steps when absent.').optional(),
  operation: z.string().optional().describe('Operation type whose latency target applies (a key of nonFunctional.latency; default read).'),
  steps: z.array(flowStep).min(1).describe('Ordered steps on the request path.'),
  emits: z.array(eventName).optional().describe('Events emitted.'),
  endpoint: z.string().optional().describe('The endpoint that starts this flow, e.g. "POST /links".'),
});

export const event = obj({
  description: text('What happened.'),
  producer: componentName.optional().describe('Component that emits it.'),
  payload: z.record(z.string(), z.string()).optional().describe('Payload fields and their types.'),
});

export const job = obj({
  schedule: z.string().regex(/^(\S+\s+){4}\S+$/, { error: 'a schedule is a 5-field cron expression, e.g. "0 3 * * *"' }).describe('Cron schedule.'),
  timezone: z.string().optional().describe('IANA time zone (default UTC).'),
  does: text('What the job does. Fills {process_description}.'),
  handler: z.string().optional().describe('TypeScript module that runs it.'),
  component: componentName.optional().describe('Component that runs it.'),
  timeout: unit('duration', 'A run longer than this is stopped and counted as failed.').optional(),
  retry: z.number().int().min(0).max(10).optional().describe('Retries of a failed run.'),
});
