import { describe, it, expect } from 'vitest';
import { findingsOf } from '../test-support/linkly-fixture.ts';

describe('unauthenticated-write', () => {
  it('accepts the public sign-up endpoint, a create on the auth user entity', () => {
    expect(findingsOf('unauthenticated-write')).toEqual([]);
  });

  it('flags a public shorten endpoint', () => {
    const findings = findingsOf('unauthenticated-write', (spec) => { spec.api.endpoints['POST /links'].public = true; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'api.endpoints["POST /links"]' });
    expect(findings[0]!.message).toBe('"POST /links" is public, so anyone can write through it without signing in');
  });

  it('flags a public delete, and a public create on an entity other than the user entity', () => {
    const findings = findingsOf('unauthenticated-write', (spec) => {
      spec.api.endpoints['DELETE /links/{code}'].public = true;
      spec.api.endpoints['POST /visits'] = { does: 'create Visit', public: true };
    });
    expect(findings.map((f) => f.path)).toEqual(['api.endpoints["DELETE /links/{code}"]', 'api.endpoints["POST /visits"]']);
    expect(findings[0]!.message).toMatch(/anyone can delete/);
  });
});

describe('endpoint-without-access-rule', () => {
  it('stays quiet when every endpoint is public or names roles', () => {
    expect(findingsOf('endpoint-without-access-rule')).toEqual([]);
  });

  it('flags an endpoint with neither', () => {
    const findings = findingsOf('endpoint-without-access-rule', (spec) => { delete spec.api.endpoints['GET /links/{link}/visits'].roles; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'api.endpoints["GET /links/{link}/visits"]' });
    expect(findings[0]!.hint).toBe('Add roles: [user, admin] (or the ones that need it), or public: true if anyone may.');
  });
});

describe('no-rate-limit-on-login', () => {
  it('accepts password sign-in with a login limit', () => {
    expect(findingsOf('no-rate-limit-on-login')).toEqual([]);
  });

  it('flags password sign-in without one, at api.auth', () => {
    const findings = findingsOf('no-rate-limit-on-login', (spec) => { delete spec.api.auth.loginLimit; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'api.auth' });
  });
});

describe('missing-pci-protection', () => {
  it('does not apply without PCI-DSS', () => {
    expect(findingsOf('missing-pci-protection')).toEqual([]);
  });

  it('flags PCI-DSS without card-testing protection (Linkly already has brute-force)', () => {
    const findings = findingsOf('missing-pci-protection', (spec) => { spec.requirements.nonFunctional.compliance.push('PCI-DSS'); });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', path: 'security.protections', message: 'PCI-DSS is listed, but security.protections lacks card-testing' });
  });

  it('names both protections when both are missing, and accepts both present', () => {
    const both = findingsOf('missing-pci-protection', (spec) => {
      spec.requirements.nonFunctional.compliance.push('PCI-DSS');
      spec.security.protections = ['ssrf'];
    });
    expect(both[0]!.message).toBe('PCI-DSS is listed, but security.protections lacks card-testing and brute-force');
    expect(findingsOf('missing-pci-protection', (spec) => {
      spec.requirements.nonFunctional.compliance.push('PCI-DSS');
      spec.security.protections.push('card-testing');
    })).toEqual([]);
  });
});
