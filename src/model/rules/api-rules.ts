import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RuleContext } from './rule-context.ts';
import { parseFieldDef } from '../normalize/field-def.ts';
import { parseEndpointKey, parseDoes, METHODS_FOR } from '../normalize/endpoint-key.ts';

/** Endpoints resolve their entity, roles, component and events; method and path fit the operation. */
export function checkApi(ctx: RuleContext): void {
  const api = ctx.spec.api;
  if (!api) return;
  const userEntity = api.auth.userEntity ?? 'User';
  if (api.auth.method !== 'none' && api.auth.method !== 'oidc') {
    ctx.expect(ctx.entities, userEntity, 'auth_user_entity_unknown', 'user entity', ['api', 'auth', api.auth.userEntity ? 'userEntity' : 'method']);
  }
  if (api.auth.method === 'oidc' && !api.auth.oidc) ctx.report('auth_oidc_missing', 'method oidc needs an oidc: block with issuer and audience', ['api', 'auth', 'method']);

  const specDir = existsSync(ctx.doc.file) ? dirname(resolve(ctx.doc.file)) : undefined;
  checkModuleFiles(ctx, specDir);
  const shapes = new Map<string, string>();
  for (const [key, ep] of Object.entries(api.endpoints)) {
    const base = ['api', 'endpoints', key];
    const { method, pathParams, shape } = parseEndpointKey(key);
    const other = shapes.get(`${method} ${shape}`);
    if (other) ctx.report('endpoint_duplicate', `"${key}" matches the same requests as "${other}"`, base, { key: true });
    shapes.set(`${method} ${shape}`, key);

    if (!!ep.does === !!ep.handler) {
      ctx.report('endpoint_no_behaviour', ep.does ? `"${key}" has both does and handler` : `"${key}" has neither does nor handler`, base, { key: true });
    }
    if (ep.does) checkGenerated(ctx, key, ep.does, method, pathParams, ep.scope);
    if (ep.handler) expectModule(ctx, specDir, ep.handler, [...base, 'handler']);
    ep.roles?.forEach((r, i) => ctx.expect(ctx.roles, r, 'endpoint_unknown_role', 'role', [...base, 'roles', i]));
    if (ep.component) ctx.expect(ctx.components, ep.component, 'endpoint_unknown_component', 'component', [...base, 'component']);
    if (ep.operation) ctx.expect(ctx.operations, ep.operation, 'operation_unknown', 'operation type', [...base, 'operation']);
    ep.emits?.forEach((ev, i) => ctx.expect(ctx.events, ev, 'emits_unknown_event', 'event', [...base, 'emits', i]));
    for (const part of ['query', 'body'] as const) {
      for (const [name, raw] of Object.entries(ep[part] ?? {})) {
        const f = parseFieldDef(raw);
        if (f.ref) ctx.expect(ctx.entities, f.ref.entity, 'ref_unknown_entity', 'entity', [...base, part, name]);
      }
    }
  }
}

function checkGenerated(ctx: RuleContext, key: string, does: string, method: string, pathParams: string[], scope?: 'own' | 'all'): void {
  const base = ['api', 'endpoints', key];
  const { operation, entity } = parseDoes(does);
  if (!ctx.expect(ctx.entities, entity, 'endpoint_unknown_entity', 'entity', [...base, 'does'])) return;
  if (!METHODS_FOR[operation].includes(method)) {
    ctx.report('endpoint_method_mismatch', `"${operation}" is served by ${METHODS_FOR[operation].join(' or ')}, not ${method}`, base, { key: true });
  }
  const def = ctx.spec.data?.[entity];
  if (!def) return;
  const needsId = operation === 'get' || operation === 'update' || operation === 'delete';
  const parents = needsId ? pathParams.slice(0, -1) : pathParams;
  if (needsId && pathParams.length === 0) {
    ctx.report('endpoint_path_params', `"${operation} ${entity}" needs the record id in the path, e.g. ${method} /${entity.toLowerCase()}s/{id}`, base, { key: true });
  }
  for (const p of parents) {
    const raw = def.fields[p];
    if (!raw || !parseFieldDef(raw).ref) {
      ctx.report('endpoint_path_params', `path parameter {${p}} is not a reference field of ${entity}; only the last parameter of get/update/delete is the id, others filter by a parent reference`, base, { key: true });
    }
  }
  // On the account entity itself, "own" means the caller's own record: no owner field needed.
  const userEntity = ctx.spec.api?.auth.userEntity ?? 'User';
  if (scope === 'own' && !def.owner && entity !== userEntity) {
    ctx.report('scope_own_without_owner', `scope: own needs ${entity} to declare an owner field`, [...base, 'scope']);
  }
}

/** Event handlers of components and job handlers must exist too, not only endpoint handlers. */
function checkModuleFiles(ctx: RuleContext, specDir: string | undefined): void {
  for (const [name, c] of Object.entries(ctx.spec.architecture?.components ?? {})) {
    for (const [event, file] of Object.entries(c.handlers ?? {})) expectModule(ctx, specDir, file, ['architecture', 'components', name, 'handlers', event]);
  }
  for (const [name, job] of Object.entries(ctx.spec.jobs ?? {})) {
    if (job.handler) expectModule(ctx, specDir, job.handler, ['jobs', name, 'handler']);
  }
}

function expectModule(ctx: RuleContext, specDir: string | undefined, file: string, path: (string | number)[]): void {
  if (specDir && !existsSync(resolve(specDir, file))) {
    ctx.report('handler_not_found', `handler "${file}" does not exist (looked in ${resolve(specDir, file)})`, path);
  }
}
