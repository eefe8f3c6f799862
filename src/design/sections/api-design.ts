import type { Endpoint, SystemModel } from '../../model/system-model.ts';
import type { DesignReport } from '../design-report.ts';
import { code, heading, joined, paragraph, strong, table, type Block, type Inline } from '../render/doc-tree.ts';
import { duration, endpointPath, plural, words } from './format.ts';
import { formatSize } from '../../spec/units.ts';
import { describeRules } from '../../model/normalize/rate-limit.ts';

/** What each authentication method is, for "Authentication using {auth_method}". */
export const AUTH_METHOD: Record<SystemModel['api']['auth']['method'], string> = {
  'password+jwt': 'password sign-in issuing signed JSON Web Tokens (bearer access tokens and rotating refresh tokens)',
  'api-key': 'API keys sent in a request header, stored hashed and scoped to roles',
  oidc: 'OpenID Connect: bearer tokens issued by an external identity provider, verified against its published keys',
  none: 'no authentication: every endpoint is public',
};

/**
 * "API Design": every endpoint with its method and path, purpose, parameters (path, query, body,
 * or the entity's writable fields for generated create/update), what it returns, who may call it
 * and its limits; then the authentication method and its details.
 */
export function apiDesign(report: DesignReport): Block[] {
  const { model } = report;
  const { endpoints, basePath } = model.api;
  return [
    heading(2, 'API Design'),
    paragraph(`The key APIs of the system: ${plural(endpoints.length, 'endpoint')}`, ...(basePath ? [' under ', code(basePath)] : []), `. Request and response bodies are JSON (requests up to ${formatSize(model.api.bodyLimitBytes)}; larger ones are refused with 413); errors are problem+json documents.`),
    table(['Endpoint', 'Purpose', 'Parameters', 'Returns', 'Access', 'Limits'], endpoints.map((ep) => [
      [code(endpointPath(model, ep.key))],
      [ep.summary],
      parameters(model, ep),
      [ep.returns],
      [access(ep)],
      [words(limits(ep), '')],
    ])),
    heading(3, 'Authentication'),
    ...authentication(model),
  ];
}

function parameters(model: SystemModel, ep: Endpoint): Inline[] {
  const entity = model.entities.find((e) => e.name === ep.entity);
  // The owner field is set from the caller, never from the body.
  const writable = entity ? entity.fields.filter((f) => !f.readOnly && f.name !== entity.owner).map((f) => f.name) : [];
  const groups: Inline[][] = [
    ...ep.pathParams.map((p) => [code(p), ' (path)']),
    ...ep.query.map((f) => [code(f.name), ` (query${f.required ? '' : ', optional'})`]),
  ];
  if (ep.operation === 'list' && entity) {
    const taken = new Set([...ep.pathParams, ...ep.query.map((q) => q.name)]);
    for (const f of entity.fields.filter((x) => x.filterable && !taken.has(x.name))) groups.push([code(f.name), ' (query filter)']);
  }
  if (ep.operation === 'create') groups.push(...writable.map((n) => [code(n), ' (body)']));
  if (ep.operation === 'update') groups.push(...writable.map((n) => [code(n), ' (body, optional)']));
  groups.push(...ep.body.map((f) => [code(f.name), ` (body${f.required ? '' : ', optional'})`]));
  return groups.length ? joined(groups) : ['none'];
}

function access(ep: Endpoint): string {
  if (ep.public) return 'public';
  const roles = ep.roles.length ? words(ep.roles) : 'any signed-in caller';
  return ep.scope === 'own' ? `${roles} (own records)` : roles;
}

function limits(ep: Endpoint): string[] {
  return [
    // One item per budget: "60/min per user, 600/min per IP, cached 1 min and Idempotency-Key".
    ...(ep.rateLimit ? ep.rateLimit.rules.map((rule) => describeRules([rule])) : []),
    ep.cacheMs !== undefined ? `cached ${duration(ep.cacheMs)}` : '',
    ep.idempotent ? 'Idempotency-Key' : '',
    ep.emits.length ? `emits ${ep.emits.join(', ')}` : '',
  ].filter(Boolean);
}

function authentication(model: SystemModel): Block[] {
  const a = model.api.auth;
  const details: string[] = [];
  if (a.method === 'password+jwt') details.push(`access tokens valid for ${duration(a.accessTtlMs)}`, `refresh tokens valid for ${duration(a.refreshTtlMs)}`);
  if (a.oidc) details.push(`issuer ${a.oidc.issuer}`, `audience ${a.oidc.audience}`);
  if (a.apiKeys && a.method !== 'api-key') details.push('API keys also accepted (hashed, scoped to roles)');
  if (a.loginLimit) details.push(`sign-in limited to ${a.loginLimit.text} per account and address`);
  details.push(a.mfa ? 'multi-factor authentication required' : 'no multi-factor authentication');
  return [paragraph('Authentication using ', strong(a.method), ` (${AUTH_METHOD[a.method]}) with ${words(details)}. Accounts are `, strong(a.userEntity), ' records.')];
}

