import { describe, it, expect } from 'vitest';
import { authentication, leastPrivilege, lockout, loginThrottling, mfa, piiVisibility, roleAssignment, sessionTimeout } from './access-facts.ts';
import { linklyModel, type SpecObject } from '../../test-support/linkly-fixture.ts';

const oidc = (s: SpecObject) => {
  s.api.auth = { method: 'oidc', oidc: { issuer: 'https://id.example.com', audience: 'linkly' } };
};

describe('access facts on linkly', () => {
  const model = linklyModel();

  it('summarises sign-in in one line', () => {
    expect(authentication(model)).toEqual([{ has: 'api.auth: password+jwt, api keys, loginLimit 5/min' }]);
  });

  it('credits the login limit and the brute-force protection', () => {
    expect(loginThrottling(model)).toEqual([{ has: 'api.auth.loginLimit: 5/min' }, { has: 'security.protections: brute-force' }]);
  });

  it('lists the limited roles and leaves the single superuser alone', () => {
    expect(leastPrivilege(model)).toEqual([
      { has: 'security.roles.user: Link:create, Link:read:own, Link:update:own, Link:delete:own, Visit:read:own, User:read:own' },
    ]);
  });

  it('accepts 15-minute tokens under a 15-minute cap and rejects them under a 5-minute one', () => {
    expect(sessionTimeout(model, 15 * 60_000)).toHaveLength(1);
    expect(sessionTimeout(model, 5 * 60_000)[1]).toEqual({ needs: 'shorten api.auth.accessTtl to at most 5m' });
  });
});

describe('access facts on edited specs', () => {
  it('delegates MFA and throttling to the OIDC issuer, outside archspec', () => {
    const model = linklyModel(oidc);
    expect(mfa(model)).toEqual([
      { has: 'api.auth: oidc (sign-in at https://id.example.com)' },
      { needs: 'enforce MFA at the identity provider (outside archspec)' },
    ]);
    expect(lockout(model, 10, 30 * 60_000)[1]?.needs).toBe('sign-in throttling at the identity provider (outside archspec)');
    expect(roleAssignment(model)[0]).toEqual({ has: 'api.auth: oidc (roles assigned at https://id.example.com)' });
  });

  it('asks for a login limit when password sign-in has none', () => {
    const model = linklyModel((s) => { delete s.api.auth.loginLimit; });
    expect(lockout(model, 10, 30 * 60_000)).toEqual([{ needs: 'set api.auth.loginLimit to at most 20/hour (10 attempts per 30m)' }]);
    expect(loginThrottling(model)[0]).toEqual({ needs: 'set api.auth.loginLimit, e.g. 5/min' });
  });

  it('flags more than one role holding "*", and every role holding it', () => {
    const two = linklyModel((s) => { s.security.roles.ops = ['*']; });
    expect(leastPrivilege(two)).toContainEqual({ needs: 'admin and ops all hold "*": keep full access to one administrative role' });
    const all = linklyModel((s) => { s.security.roles.user = ['*']; });
    expect(leastPrivilege(all)).toContainEqual({ needs: 'every role holds "*": give ordinary roles only the permissions they need' });
  });

  it('flags piiRoles that include every role', () => {
    const model = linklyModel((s) => { s.security.piiRoles = ['user', 'admin']; });
    expect(piiVisibility(model)[0]?.needs).toContain('every role (user, admin) is in security.piiRoles');
  });
});
