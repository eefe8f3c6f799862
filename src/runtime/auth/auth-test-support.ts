import { fileURLToPath } from 'node:url';
import { editedSpecModel } from '../../model/test-support/edited-spec.ts';
import type { Endpoint, SystemModel } from '../../model/system-model.ts';
import type { Caller } from './auth-contract.ts';

/**
 * Test support for the auth tests: the Linkly example's model (examples/linkly/archspec.yaml),
 * optionally edited first, read through the real pipeline so an invalid edit fails loudly.
 *
 * @example
 * const model = linkly((spec) => { spec.api.auth.loginLimit = '3/min'; });
 */
export const LINKLY_EXAMPLE = fileURLToPath(new URL('../../../examples/linkly/archspec.yaml', import.meta.url));

/** The Linkly model; `mutate` edits the parsed YAML (loosely typed) before it is analysed. */
export function linkly(mutate?: (spec: any) => void): SystemModel {
  return editedSpecModel(LINKLY_EXAMPLE, mutate, 'linkly spec');
}

/** The endpoint with this key ("GET /links"); throws when the model has none. */
export function endpoint(model: SystemModel, key: string): Endpoint {
  const ep = model.api.endpoints.find((e) => e.key === key);
  if (!ep) throw new Error(`no endpoint ${key}`);
  return ep;
}

/** A signed-in caller with `roles`. */
export function callerWith(...roles: string[]): Caller {
  return { userId: 'u-1', roles, via: 'jwt' };
}
