import { z } from 'zod';
import { obj, text, componentName, eventName } from '../schema-kit.ts';
import { requirements } from './requirements.ts';
import { architecture, flow, event, job } from './architecture.ts';
import { dataModel } from './data.ts';
import { api } from './api.ts';
import { scalability, resilience, security, observability, deployment } from './operations.ts';

/**
 * The one definition of the spec language. The JSON Schema (`archspec schema`), the TypeScript type
 * of `defineSystem`, and structural validation all come from here. Sections follow the template.
 */
export const specSchema = obj({
  $schema: z.string().optional(),
  archspec: z.literal(1, { error: 'archspec: 1 is the only spec version' }).describe('Spec language version.'),
  system: obj({
    name: text('Fills {system_name}.'),
    type: text('Fills {system_type}.'),
    purpose: text('What the system will do. Fills {system_purpose}.'),
  }),
  requirements,
  architecture,
  flows: z.record(componentName, flow).describe('Request flows. Fill {action1}, {flow1_description}, {action2}, {flow2_description}.'),
  events: z.record(eventName, event).optional().describe('Domain events.'),
  jobs: z.record(componentName, job).optional().describe('Background processes. Keys fill {background_process}.'),
  data: dataModel,
  api,
  scalability,
  resilience,
  security,
  observability,
  deployment,
}, 'An archspec system specification.');

/** The spec as written by users (input of `defineSystem`). */
export type SpecInput = z.input<typeof specSchema>;
/** The spec after structural validation. */
export type Spec = z.output<typeof specSchema>;

export * from './requirements.ts';
export * from './architecture.ts';
export * from './data.ts';
export * from './api.ts';
export * from './operations.ts';
