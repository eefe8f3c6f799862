import { describe, it, expect } from 'vitest';
import { findingsOf, linklyModel, lintModel } from './linkly-fixture.ts';

describe('linklyModel', () => {
  it('reads the fixture unchanged, with locations on its own lines', () => {
    const model = linklyModel();
    expect(model.system.name).toBe('Linkly');
    expect(model.system.at.file).toMatch(/test\/fixtures\/linkly-v0\/archspec\.yaml$/);
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
    expect(lintModel(linklyModel()).filter((f) => f.rule === 'no-rate-limit-on-login')).toEqual(findings.slice(0, 0));
  });
});
