import type { AccessMatrix } from '../design-report.ts';
import type { CrudOperation, Endpoint, Role, SystemModel } from '../../model/system-model.ts';
import { allows } from '../../model/normalize/permission.ts';

/** The permission action each generated operation needs. */
const ACTION: Record<CrudOperation, string> = { create: 'create', list: 'read', get: 'read', update: 'update', delete: 'delete' };

/**
 * Who may call each endpoint: one row per endpoint, one cell per role of `security.roles`.
 * A public endpoint is open to anonymous callers and every role. Otherwise a role needs to be listed
 * in the endpoint's `roles` (an empty list admits every signed-in role) and, for generated
 * endpoints, a permission allowing the operation on the entity (create, list/get -> read, update,
 * delete). The cell is `own` when that permission is `:own`, or when the endpoint is `scope: own`
 * and the role is not a superuser (holder of `"*"`, which sees every record).
 *
 * @example
 * const m = accessMatrix(model);
 * m.rows.find((r) => r.endpoint === 'GET /links')?.access.user // 'own'
 */
export function accessMatrix(model: SystemModel): AccessMatrix {
  const roles = model.security.roles;
  return {
    roles: roles.map((r) => r.name),
    rows: model.api.endpoints.map((ep) => ({
      endpoint: ep.key,
      public: ep.public,
      access: Object.fromEntries(roles.map((r) => [r.name, roleAccess(ep, r)])),
    })),
  };
}

/** One cell of the access matrix: whether `role` may call `endpoint`, and on whose records. */
export function roleAccess(endpoint: Endpoint, role: Role): 'yes' | 'own' | 'no' {
  if (endpoint.public) return 'yes';
  if (endpoint.roles.length > 0 && !endpoint.roles.includes(role.name)) return 'no';
  const narrowed = endpoint.scope === 'own' && !isSuperuser(role) ? 'own' : 'yes';
  if (endpoint.operation === 'custom' || endpoint.entity === undefined) return narrowed;
  const granted = allows(role.permissions, endpoint.entity, ACTION[endpoint.operation]);
  if (granted === undefined) return 'no';
  return granted === 'own' ? 'own' : narrowed;
}

/** Whether a role holds the unrestricted `"*"` permission (every action on every entity's records). */
export function isSuperuser(role: Role): boolean {
  return role.permissions.some((p) => p.entity === '*' && p.action === '*' && p.scope === 'all');
}
