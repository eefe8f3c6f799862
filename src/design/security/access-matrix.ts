import type { AccessMatrix } from '../design-report.ts';
import type { SystemModel } from '../../model/system-model.ts';
import { roleAccess } from '../../model/normalize/role-access.ts';

/** The rules of one cell live in the model so the running server's `authorize` applies the same ones. */
export { roleAccess, isSuperuser } from '../../model/normalize/role-access.ts';

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
