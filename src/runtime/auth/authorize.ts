import type { Authorize, Caller } from './auth-contract.ts';
import type { Endpoint, SystemModel } from '../../model/system-model.ts';
import { allows } from '../../model/normalize/permission.ts';
import { CRUD_ACTION, roleAccess, type RoleGrant } from '../../model/normalize/role-access.ts';

/**
 * Whether `caller` may call `endpoint`, and on whose records.
 *
 * Public endpoints admit anyone with scope `all`. Otherwise an anonymous caller is `unauthenticated`.
 * A signed-in caller is judged role by role with the same rules as the design document's access
 * matrix ({@link roleAccess}): the role must be listed by the endpoint (when it lists any) and, for
 * generated endpoints, hold a permission for the action (create; list/get -> read; update; delete)
 * on the entity. The best role wins: `all` beats `own`. The scope is `own` when the matching
 * permission is `:own` or the endpoint declares `scope: own`, except for a role holding `"*"`.
 * Roles the spec does not define grant no permissions. Denials name the missing role or permission.
 *
 * @example
 * authorize(model, getLinks, { userId: 'u1', roles: ['user'], via: 'jwt' }) // { allowed: true, scope: 'own' }
 * authorize(model, getLinks, undefined) // { allowed: false, code: 'unauthenticated', detail: ... }
 */
export const authorize: Authorize = (model, endpoint, caller) => {
  if (endpoint.public) return { allowed: true, scope: 'all' };
  if (!caller) {
    return { allowed: false, code: 'unauthenticated', detail: `${endpoint.key} requires a signed-in caller: send "Authorization: Bearer <access token>".` };
  }
  let best: 'yes' | 'own' | 'no' = 'no';
  for (const role of grantsOf(model, caller)) {
    const access = roleAccess(endpoint, role);
    if (access === 'yes') return { allowed: true, scope: 'all' };
    if (access === 'own') best = 'own';
  }
  if (best === 'own') return { allowed: true, scope: 'own' };
  return { allowed: false, code: 'forbidden', detail: denial(endpoint, caller) };
};

/**
 * Which records of `entity` the caller may read outside an endpoint of its own (e.g. as an expanded
 * reference), by the rule {@link authorize} applies to a generated get of it: `all` when the spec
 * serves the entity publicly (a public get or list) or a role of the caller holds a read permission
 * for it (`Entity:read`, `Entity:*`, `"*"`); `own` when the best is `:own`; undefined when none does.
 *
 * @example
 * readScopeOf(linkly, 'User', { userId: 'u1', roles: ['user'], via: 'jwt' }) // 'own' (User:read:own)
 */
export function readScopeOf(model: SystemModel, entity: string, caller: Caller | undefined): 'all' | 'own' | undefined {
  if (model.api.endpoints.some((e) => e.public && e.entity === entity && (e.operation === 'get' || e.operation === 'list'))) return 'all';
  if (!caller) return undefined;
  let best: 'own' | undefined;
  for (const role of grantsOf(model, caller)) {
    const granted = allows([...role.permissions], entity, CRUD_ACTION.get);
    if (granted === 'all') return 'all';
    if (granted === 'own') best = 'own';
  }
  return best;
}

/** The caller's roles with their permissions from `security.roles` (none for a role the spec does not define). */
function grantsOf(model: SystemModel, caller: Caller): RoleGrant[] {
  return caller.roles.map((name) => model.security.roles.find((r) => r.name === name) ?? { name, permissions: [] });
}

/** Why no role of the caller was admitted: the roles the endpoint lists, or the permission it needs. */
function denial(endpoint: Endpoint, caller: Caller): string {
  const held = caller.roles.length > 0 ? `the caller has ${caller.roles.join(', ')}` : 'the caller has no role';
  if (endpoint.roles.length > 0 && !caller.roles.some((r) => endpoint.roles.includes(r))) {
    return `${endpoint.key} requires one of the roles ${endpoint.roles.join(', ')}; ${held}.`;
  }
  if (endpoint.operation === 'custom' || endpoint.entity === undefined) return `${endpoint.key} is not open to ${held}.`;
  const needed = `${endpoint.entity}:${CRUD_ACTION[endpoint.operation]}`;
  return `${endpoint.key} requires the permission ${needed} (or ${needed}:own); ${held}, which does not grant it.`;
}
