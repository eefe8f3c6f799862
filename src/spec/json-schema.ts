import { z } from 'zod';
import { specSchema } from './schema/index.ts';

/** The JSON Schema (draft 2020-12) of the spec, generated from the one schema definition. */
export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://archspec.dev/schema/archspec.schema.json', title: 'archspec system specification' };
}
