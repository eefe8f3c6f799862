import { defineRule, endpointPlace, placeUnder, type LintRule } from './lint-rule.ts';

/**
 * A public endpoint that changes data. Sign-up (create on the auth user entity) is expected to be
 * public and is left out.
 */
export const unauthenticatedWrite = defineRule({
  id: 'unauthenticated-write',
  severity: 'warning',
  title: 'A public endpoint changes data without authentication',
}, ({ model }, report) => {
  const userEntity = model.api.auth.userEntity;
  for (const ep of model.api.endpoints) {
    if (ep.method === 'GET' || !ep.public || ep.signature) continue;
    if (ep.operation === 'create' && ep.entity === userEntity) continue;
    report(
      endpointPlace(ep),
      `"${ep.key}" is public, so anyone can ${ep.method === 'DELETE' ? 'delete' : 'write'} through it without signing in`,
      'Give it roles: [...] instead of public: true; a partner\'s webhook should prove itself with signature: { header: X-Signature, secret: env:WEBHOOK_SECRET }.',
    );
  }
});

/** An endpoint that is neither public nor limited to roles: who may call it is not stated. */
export const endpointWithoutAccessRule = defineRule({
  id: 'endpoint-without-access-rule',
  severity: 'warning',
  title: 'An endpoint is neither public nor limited to roles',
}, ({ model }, report) => {
  for (const ep of model.api.endpoints.filter((e) => !e.public && e.roles.length === 0)) {
    report(
      endpointPlace(ep),
      `"${ep.key}" is not public and names no roles, so the spec does not say who may call it`,
      `Add roles: [${model.security.roles.map((r) => r.name).join(', ')}] (or the ones that need it), or public: true if anyone may.`,
    );
  }
});

/** Password sign-in without a per-account login limit invites credential stuffing and brute force. */
export const noRateLimitOnLogin = defineRule({
  id: 'no-rate-limit-on-login',
  severity: 'warning',
  title: 'Password authentication has no login rate limit',
}, ({ model }, report) => {
  const { auth } = model.api;
  if (auth.method !== 'password+jwt' || auth.loginLimit) return;
  report(
    auth,
    'passwords can be guessed as fast as the login endpoint answers: api.auth has no loginLimit',
    'Add loginLimit: 5/min to api.auth (attempts per account and IP).',
  );
});

/** PCI-DSS listed without the protections card data attracts first: card testing and brute force. */
export const missingPciProtection = defineRule({
  id: 'missing-pci-protection',
  severity: 'error',
  title: 'PCI-DSS is listed but card-testing or brute-force protection is missing',
}, ({ model }, report) => {
  if (!model.requirements.nonFunctional.compliance.includes('PCI-DSS')) return;
  const missing = (['card-testing', 'brute-force'] as const).filter((p) => !model.security.protections.includes(p));
  if (missing.length === 0) return;
  report(
    placeUnder(model.security, 'protections'),
    `PCI-DSS is listed, but security.protections lacks ${missing.join(' and ')}`,
    `Add ${missing.join(', ')} to security.protections.`,
  );
});

/** Access rules, in the order the docs list them. */
export const ACCESS_RULES: readonly LintRule[] = [unauthenticatedWrite, endpointWithoutAccessRule, noRateLimitOnLogin, missingPciProtection];
