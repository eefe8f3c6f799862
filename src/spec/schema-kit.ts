import { z } from 'zod';
import { UNIT_EXAMPLES, UNIT_PATTERNS, type UnitKind } from './units.ts';

/**
 * Building blocks for the spec schema. `obj` is a strict object whose "unknown field" message carries
 * the known keys, so the diagnostics layer can suggest the nearest one ("did you mean").
 */
export const UNKNOWN_KEYS_PREFIX = 'unknown_keys:';

/** A strict object: unknown keys are errors that remember which keys were allowed. */
export function obj<T extends z.ZodRawShape>(shape: T, description?: string) {
  const known = Object.keys(shape);
  const schema = z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? UNKNOWN_KEYS_PREFIX + JSON.stringify(known) : undefined),
  });
  return description ? schema.describe(description) : schema;
}

/** A string in one of the spec's strict units (duration, percent, ...). */
export function unit(kind: UnitKind, description?: string) {
  const s = z.string({ error: `expected a ${kind}: ${UNIT_EXAMPLES[kind]}` }).regex(UNIT_PATTERNS[kind], {
    error: (iss) => `"${String(iss.input)}" is not a valid ${kind}; write ${UNIT_EXAMPLES[kind]}`,
  });
  const bounded = kind === 'percent' ? s.refine((v) => parseFloat(v) <= 100, { error: 'a percentage cannot exceed 100%', params: { code: 'value_out_of_range' } }) : s;
  return description ? bounded.describe(description) : bounded;
}

/** A non-empty line of prose. */
export function text(description?: string) {
  const s = z.string({ error: 'expected text' }).trim().min(1, { error: 'must not be empty' });
  return description ? s.describe(description) : s;
}

/** A closed set of words; the error lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, description?: string) {
  const s = z.enum(values, { error: (iss) => `"${String(iss.input)}" is not one of: ${values.join(', ')}.` });
  return description ? s.describe(description) : s;
}

/** A name following a casing rule; the error states the rule. */
export function name(pattern: RegExp, rule: string) {
  return z.string().regex(pattern, { error: (iss) => `"${String(iss.input)}" is not a valid name: ${rule}` });
}

export const entityName = name(/^[A-Z][A-Za-z0-9]*$/, 'entity names are PascalCase, e.g. User, OrderItem');
export const componentName = name(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes, e.g. payments-api');
export const fieldName = name(/^[a-z][A-Za-z0-9_]*$/, 'field names are camelCase, e.g. createdAt');
export const eventName = name(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'dotted lower-case, e.g. order.paid');

/** A reference to a secret or setting read from the environment (`env:NAME`) or a file (`file:path`). */
export const secretRef = z
  .string()
  .regex(/^(env:[A-Z_][A-Z0-9_]*|file:.+)$/, { error: 'secrets are referenced, never inlined: env:NAME or file:path' });

/** A URL or an environment reference to one. */
export const urlRef = z
  .string()
  .regex(/^(env:[A-Z_][A-Z0-9_]*|https?:\/\/\S+)$/, { error: 'expected an http(s) URL or env:NAME' });
