import { describe, it, expect } from 'vitest';
import { linklyModel } from './linkly-variant.ts';

describe('linklyModel', () => {
  it('reads the example unchanged', () => {
    expect(linklyModel().system.name).toBe('Linkly');
  });

  it('applies an edit to the parsed YAML before analysis', () => {
    const model = linklyModel((s) => { s.requirements.nonFunctional.compliance = ['HIPAA']; });
    expect(model.requirements.nonFunctional.compliance).toEqual(['HIPAA']);
  });

  it('throws with the diagnostics when the edit breaks the spec', () => {
    expect(() => linklyModel((s) => { s.api.endpoints['POST /links'].roles = ['nobody']; })).toThrow(/edited linkly spec is invalid:\n.*nobody/);
  });
});
