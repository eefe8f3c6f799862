import { describe, it, expect } from 'vitest';
import { findingsOf, linklyModel, lintModel } from './linkly-fixture.ts';

describe('linklyModel', () => {
  it('reads the fixture unchanged, with locations on its own lines', () => {
    const model = linklyModel();
    expect(model.system.name).toBe('Linkly');
    const gateway = model.architecture.components.find((c) => c.name === 'gateway')!;
    expect(gateway.at.file).toMatch(/test\/fixtures\/linkly-v0\/archspec\.yaml$/);
    expect(gateway.at.line).toBe(57); // the fixture's own line, not a reserialised copy's
  });

  it('applies an edit to the parsed YAML before analysis', () => {
    const model = linklyModel((s) => { s.requirements.nonFunctional.compliance = ['HIPAA']; });
    expect(model.requirements.nonFunctional.compliance).toEqual(['HIPAA']);
  });

  it('throws with the diagnostics when the edit breaks the spec', () => {
    expect(() => linklyModel((s) => { s.api.endpoints['POST /links'].roles = ['nobody']; })).toThrow(/edited linkly spec is invalid:\n.*nobody/);
  });
});

describe('findingsOf', () => {
  it('keeps only the named rule, and a mutation can raise it', () => {
    expect(findingsOf('no-rate-limit-on-login')).toEqual([]);
    const findings = findingsOf('no-rate-limit-on-login', (spec) => { delete spec.api.auth.loginLimit; });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.rule === 'no-rate-limit-on-login')).toBe(true);
  });

  it('lints with the analyses, so capacity findings come from the capacity plan', () => {
    // the frozen fixture needs 253 instances at the horizon against a maximum of 30.
    expect(lintModel(linklyModel()).map((f) => f.rule)).toContain('capacity-exceeds-max');
  });
});
