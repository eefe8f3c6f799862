import type { SystemModel } from '../../../model/system-model.ts';
import { isSuperuser } from '../access-matrix.ts';
import { isAre, listText, outside, specDuration, type Evidence } from './evidence.ts';
import { personalFields, UNMARKED } from './data-facts.ts';

/** How callers sign in, as one line: "api.auth: password+jwt + api keys, loginLimit 5/min". */
export function authentication(model: SystemModel): Evidence[] {
  const a = model.api.auth;
  if (a.method === 'none') return [{ needs: 'api.auth.method is none: choose password+jwt, api-key or oidc' }];
  const extras = [
    a.apiKeys ? 'api keys' : '',
    a.oidc ? `issuer ${a.oidc.issuer}` : '',
    a.loginLimit ? `loginLimit ${a.loginLimit.text}` : '',
    a.mfa ? 'mfa' : '',
  ].filter(Boolean);
  return [{ has: `api.auth: ${a.method}${extras.length ? `, ${extras.join(', ')}` : ''}` }];
}

/** Multi-factor sign-in: stated, delegated to the identity provider, or missing. */
export function mfa(model: SystemModel): Evidence[] {
  const a = model.api.auth;
  if (a.mfa) return [{ has: 'api.auth.mfa: true' }];
  if (a.method === 'oidc') return [{ has: `api.auth: oidc (sign-in at ${a.oidc?.issuer ?? 'the identity provider'})` }, outside('enforce MFA at the identity provider')];
  return [{ needs: 'set api.auth.mfa: true' }];
}

/** Throttling of password guessing. */
export function loginThrottling(model: SystemModel): Evidence[] {
  const a = model.api.auth;
  if (a.method === 'none') return authentication(model);
  if (a.method === 'api-key') return [{ has: 'api.auth: api-key (no passwords to guess)' }];
  if (a.method === 'oidc') return [{ has: `api.auth: oidc (sign-in at ${a.oidc?.issuer ?? 'the identity provider'})` }, outside('sign-in throttling at the identity provider')];
  const out: Evidence[] = a.loginLimit ? [{ has: `api.auth.loginLimit: ${a.loginLimit.text}` }] : [{ needs: 'set api.auth.loginLimit, e.g. 5/min' }];
  const guards = model.security.protections.filter((p) => p === 'brute-force' || p === 'credential-stuffing');
  if (guards.length) out.push({ has: `security.protections: ${guards.join(', ')}` });
  return out;
}

/** Whether the login limit bounds guesses to `maxAttempts` per `windowMs` (an account lockout in effect). */
export function lockout(model: SystemModel, maxAttempts: number, windowMs: number): Evidence[] {
  const a = model.api.auth;
  if (a.method !== 'password+jwt') return loginThrottling(model);
  const window = specDuration(windowMs);
  const perHour = Math.floor((maxAttempts * 3_600_000) / windowMs);
  if (!a.loginLimit) return [{ needs: `set api.auth.loginLimit to at most ${perHour}/hour (${maxAttempts} attempts per ${window})` }];
  const attempts = Math.floor((a.loginLimit.perSecond * windowMs) / 1000);
  if (attempts <= maxAttempts) return [{ has: `api.auth.loginLimit: ${a.loginLimit.text} (at most ${attempts} attempts per ${window})` }];
  return [
    { has: `api.auth.loginLimit: ${a.loginLimit.text}` },
    { needs: `loginLimit ${a.loginLimit.text} allows ${attempts} attempts per ${window}; lower it to ${perHour}/hour so an account locks after ${maxAttempts} failures` },
  ];
}

/** Access-token lifetime against a maximum session length without re-authentication. */
export function sessionTimeout(model: SystemModel, maxMs: number): Evidence[] {
  const a = model.api.auth;
  if (a.method === 'none') return authentication(model);
  const ttl = `api.auth.accessTtl: ${specDuration(a.accessTtlMs)} (refresh ${specDuration(a.refreshTtlMs)}, rotating)`;
  return a.accessTtlMs <= maxMs
    ? [{ has: ttl }]
    : [{ has: ttl }, { needs: `shorten api.auth.accessTtl to at most ${specDuration(maxMs)}` }];
}

/** Authorization model, role list and the record-level (ownership) scopes. */
export function authorization(model: SystemModel): Evidence[] {
  const { authz, roles } = model.security;
  const out: Evidence[] = [{ has: `security.authz: ${authz} (roles ${roles.map((r) => r.name).join(', ')})` }];
  const own = model.api.endpoints.filter((e) => e.scope === 'own').map((e) => e.key);
  if (own.length) out.push({ has: `scope: own on ${own.join(', ')}` });
  for (const r of roles) {
    const owned = [...new Set(r.permissions.filter((p) => p.scope === 'own').map((p) => p.entity))];
    if (owned.length) out.push({ has: `security.roles.${r.name}: own records only on ${owned.join(', ')}` });
  }
  const open = model.api.endpoints.filter((e) => !e.public && e.operation === 'custom' && e.roles.length === 0).map((e) => e.key);
  if (open.length) out.push({ needs: `${listText(open)} ${isAre(open)} open to every signed-in role: list roles on ${open.length === 1 ? 'it' : 'them'}` });
  return out;
}

/** Roles limited to named permissions, and how many hold everything. */
export function leastPrivilege(model: SystemModel): Evidence[] {
  const superusers = model.security.roles.filter(isSuperuser).map((r) => r.name);
  const limited = model.security.roles.filter((r) => !isSuperuser(r));
  const out: Evidence[] = limited.map((r) => ({ has: `security.roles.${r.name}: ${r.permissions.map((p) => p.text).join(', ')}` }));
  if (limited.length === 0) out.push({ needs: 'every role holds "*": give ordinary roles only the permissions they need' });
  if (superusers.length > 1) out.push({ needs: `${listText(superusers)} all hold "*": keep full access to one administrative role` });
  return out;
}

/** Which roles may read personal fields. */
export function piiVisibility(model: SystemModel): Evidence[] {
  if (personalFields(model).personal.length === 0) return [UNMARKED];
  const { piiRoles, roles } = model.security;
  if (roles.length > 0 && roles.every((r) => piiRoles.includes(r.name))) {
    return [{ needs: `every role (${roles.map((r) => r.name).join(', ')}) is in security.piiRoles: limit it to the roles that need personal data` }];
  }
  return [{ has: `security.piiRoles: ${piiRoles.join(', ') || 'none'} (personal fields redacted for other roles)` }];
}

/** How users get a role: who registers them, and whether they can pick their own role. */
export function roleAssignment(model: SystemModel): Evidence[] {
  const user = model.entities.find((e) => e.name === model.api.auth.userEntity);
  const roleNames = model.security.roles.map((r) => r.name);
  const out: Evidence[] = [];
  if (model.api.auth.method === 'oidc') out.push({ has: `api.auth: oidc (roles assigned at ${model.api.auth.oidc?.issuer ?? 'the identity provider'})` });
  else {
    const field = user?.fields.find((f) => f.values?.some((v) => roleNames.includes(v)));
    if (!field) out.push({ needs: `no ${model.api.auth.userEntity} field holds the role: add an enum field of role names with readOnly: true` });
    else if (field.readOnly) out.push({ has: `${user!.name}.${field.name} is readOnly (callers cannot grant themselves a role)` });
    else out.push({ needs: `${user!.name}.${field.name} is writable: mark it readOnly: true so callers cannot choose their role` });
  }
  const signUp = model.api.endpoints.find((e) => e.operation === 'create' && e.entity === model.api.auth.userEntity);
  if (signUp) out.push({ has: `api.endpoints: ${signUp.key}${signUp.public ? ' (self-registration)' : ` (roles ${signUp.roles.join(', ') || 'any'})`}` });
  out.push(outside('periodic review of who holds each role'));
  return out;
}
