import type { HttpMethod, SystemModel } from '../../../model/system-model.ts';

/**
 * The personal-data routes `archspec serve` adds under the API base path when the spec has an
 * `erasable` rule. Shared by the routes (privacy-routes.ts) and the OpenAPI document, so both list
 * the same paths.
 */

/** One personal-data route: `self` routes act on the caller's own account, the others on a named subject. */
export interface PrivacyRoute {
  operationId: 'privacyExportMine' | 'privacyEraseMine' | 'privacyExportSubject' | 'privacyEraseSubject';
  method: HttpMethod;
  /** Relative to the API base path, in the spec's `{param}` form. */
  route: string;
  self: boolean;
}

const SELF: PrivacyRoute[] = [
  { operationId: 'privacyExportMine', method: 'GET', route: '/privacy/export', self: true },
  { operationId: 'privacyEraseMine', method: 'POST', route: '/privacy/erase', self: true },
];
const NAMED: PrivacyRoute[] = [
  { operationId: 'privacyExportSubject', method: 'GET', route: '/privacy/subjects/{id}/export', self: false },
  { operationId: 'privacyEraseSubject', method: 'POST', route: '/privacy/subjects/{id}/erase', self: false },
];

/** The entity of the spec's `erasable` rule (the data subject), if it has one. */
export function erasableEntity(model: SystemModel): string | undefined {
  for (const rule of model.requirements.data) if (rule.rule === 'erasable') return rule.entity;
  return undefined;
}

/**
 * The personal-data routes of `model`: none without an `erasable` rule; the named-subject routes
 * always with one; the self-service routes too when the subject is the user entity and people sign
 * in with bearer tokens (a subject that is not an account cannot ask for itself: staff act for it).
 */
export function privacyRoutes(model: SystemModel): PrivacyRoute[] {
  const subject = erasableEntity(model);
  if (!subject) return [];
  const { method, userEntity } = model.api.auth;
  const accounts = subject === userEntity && (method === 'password+jwt' || method === 'oidc');
  return [...(accounts ? SELF : []), ...NAMED];
}

/** A route's shape for clash detection: method and path with every parameter name erased. */
export function routeShape(method: string, route: string): string {
  return `${method.toUpperCase()} ${route.replace(/\{[^}]+\}/g, '{}').replace(/\/+$/, '')}`;
}
