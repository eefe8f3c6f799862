import type { SpecInput } from './schema/index.ts';

/**
 * Typed form of the spec for `archspec.config.ts`: the editor checks every field against the same
 * schema the YAML is validated with.
 *
 * @example
 * import { defineSystem } from 'archspec';
 * export default defineSystem({ archspec: 1, system: { name: 'Linkly', ... }, ... });
 */
export function defineSystem(spec: SpecInput): SpecInput {
  return spec;
}
