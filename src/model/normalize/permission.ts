import type { Permission } from '../system-model.ts';

const PERMISSION = /^(\*|[A-Z][A-Za-z0-9]*)(?::(create|read|update|delete|\*)(?::(own|all))?)?$/;

/** Parses `"Link:read:own"`, `"Link:*"` or `"*"`; undefined when malformed. */
export function parsePermission(text: string): Permission | undefined {
  const m = PERMISSION.exec(text);
  if (!m) return undefined;
  if (m[1] === '*' && m[2] !== undefined) return undefined;
  return { text, entity: m[1]!, action: m[2] ?? '*', scope: (m[3] as 'own' | 'all' | undefined) ?? 'all' };
}

/** Whether a set of permissions allows `action` on `entity`, and with which scope (own wins least). */
export function allows(permissions: Permission[], entity: string, action: string): 'all' | 'own' | undefined {
  let result: 'all' | 'own' | undefined;
  for (const p of permissions) {
    if ((p.entity === '*' || p.entity === entity) && (p.action === '*' || p.action === action)) {
      if (p.scope === 'all') return 'all';
      result = 'own';
    }
  }
  return result;
}
