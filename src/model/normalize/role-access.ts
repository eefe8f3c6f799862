import type { CrudOperation, Endpoint, Permission } from '../system-model.ts';
import { allows } from './permission.ts';

/**
 * The access semantics shared by the design document's access matrix and the running server's
 * authorization, so what the document promises is exactly what `archspec serve` enforces.
 */

/** The permission action each generated operation needs (list and get both read). */
export const CRUD_ACTION: Readonly<Record<CrudOperation, string>> = { create: 'create', list: 'read', get: 'read', update: 'update', delete: 'delete' };

/** A role as far as access is concerned: its name and its parsed permissions. */
export interface RoleGrant {
  name: string;
  permissions: readonly Permission[];
}

/** Whether a role holds the unrestricted `"*"` permission (every action on every entity's records). */
export function isSuperuser(role: RoleGrant): boolean {
  return role.permissions.some((p) => p.entity === '*' && p.action === '*' && p.scope === 'all');
}

/**
 * Whether `role` may call `endpoint`, and on whose records: `yes` (every record), `own` (only the
 * records the caller owns) or `no`.
 *
 * A public endpoint is open to everyone. Otherwise the role must be listed in the endpoint's `roles`
 * (an empty list admits every signed-in role) and, for generated endpoints, hold a permission
 * allowing the operation on the entity (create; list/get -> read; update; delete). The answer is
 * `own` when that permission is `:own`, or when the endpoint is `scope: own` and the role is not a
 * superuser (holder of `"*"`, which is never narrowed). Custom endpoints need only the listed role.
 *
 * @example
 * roleAccess(getLinksEndpoint, { name: 'user', permissions: [parsePermission('Link:read:own')!] }) // 'own'
 */
export function roleAccess(endpoint: Endpoint, role: RoleGrant): 'yes' | 'own' | 'no' {
  if (endpoint.public) return 'yes';
  if (endpoint.roles.length > 0 && !endpoint.roles.includes(role.name)) return 'no';
  const narrowed = endpoint.scope === 'own' && !isSuperuser(role) ? 'own' : 'yes';
  if (endpoint.operation === 'custom' || endpoint.entity === undefined) return narrowed;
  const granted = allows([...role.permissions], endpoint.entity, CRUD_ACTION[endpoint.operation]);
  if (granted === undefined) return 'no';
  return granted === 'own' ? 'own' : narrowed;
}
