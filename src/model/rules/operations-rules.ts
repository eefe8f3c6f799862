import { STORAGE_TARGETS, type RuleContext } from './rule-context.ts';
import { parsePermission } from '../normalize/permission.ts';

/** Scaling, redundancy and security sections name things that exist and hold coherent values. */
export function checkOperations(ctx: RuleContext): void {
  const sc = ctx.spec.scalability;
  if (sc) {
    sc.horizontal.components.forEach((c, i) => ctx.expect(ctx.components, c, 'scaling_unknown_component', 'component', ['scalability', 'horizontal', 'components', i]));
    if (sc.instances.min > sc.instances.max) ctx.report('range_inverted', `instances.min ${sc.instances.min} is above instances.max ${sc.instances.max}`, ['scalability', 'instances', 'min']);
    const cacheTargets = ctx.entities && ctx.endpoints ? new Set([...ctx.entities, ...ctx.endpoints]) : undefined;
    Object.keys(sc.cache ?? {}).forEach((t) => ctx.expect(cacheTargets, t, 'cache_unknown_target', 'cache target', ['scalability', 'cache', t], { key: true }));
    if (sc.cache && Object.keys(sc.cache).length && ctx.spec.architecture && !ctx.spec.architecture.storage.cache) {
      ctx.report('cache_unknown_target', 'scalability.cache lists cached data but architecture.storage has no cache', ['scalability', 'cache'], { key: true, hint: 'Add architecture.storage.cache: { engine: memory }.' });
    }
    for (const part of ['serviceTime', 'dbTime'] as const) {
      Object.keys(sc.capacity?.[part] ?? {}).forEach((op) => ctx.expect(ctx.operations, op, 'operation_unknown', 'operation type', ['scalability', 'capacity', part, op], { key: true }));
    }
  }

  const res = ctx.spec.resilience;
  if (res) {
    const targets = ctx.components && ctx.integrations ? new Set([...ctx.components, ...ctx.integrations, ...STORAGE_TARGETS]) : undefined;
    Object.keys(res.redundancy).forEach((t) => ctx.expect(targets, t, 'redundancy_unknown_target', 'redundancy target', ['resilience', 'redundancy', t], { key: true }));
  }

  const sec = ctx.spec.security;
  if (sec) {
    for (const [role, permissions] of Object.entries(sec.roles)) {
      permissions.forEach((text, i) => {
        const path = ['security', 'roles', role, i];
        const p = parsePermission(text);
        if (!p) {
          ctx.report('permission_invalid', `"${text}" is not a permission`, path);
          return;
        }
        if (p.entity !== '*') ctx.expect(ctx.entities, p.entity, 'permission_unknown_entity', 'entity', path);
      });
    }
    sec.piiRoles?.forEach((r, i) => ctx.expect(ctx.roles, r, 'endpoint_unknown_role', 'role', ['security', 'piiRoles', i]));
  }
}
