import { describe, it, expect } from 'vitest';
import { ccpaControls } from './ccpa.ts';
import { linklyModel, type SpecObject } from '../../test-support/linkly-fixture.ts';

const ccpa = (edit?: (s: SpecObject) => void) => ccpaControls(linklyModel((s) => {
  s.requirements.nonFunctional.compliance = ['CCPA'];
  edit?.(s);
}));
const control = (controls: ReturnType<typeof ccpaControls>, id: string) => {
  const c = controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
};

describe('CCPA / CPRA controls', () => {
  const controls = ccpa();

  it('cites Civil Code sections', () => {
    expect(controls.map((c) => c.id)).toEqual([
      '§1798.100(a)(3)', '§1798.100(d)', '§1798.100(e)', '§1798.105', '§1798.106', '§1798.110', '§1798.121', '§1798.130', '§1798.150',
    ]);
  });

  it('meets the right to delete and the right to know from the erasable rule', () => {
    expect(control(controls, '§1798.105').status).toBe('met');
    expect(control(controls, '§1798.110')).toMatchObject({
      status: 'met', satisfiedBy: ['data: pii User.email, User.name', 'requirements.data: erasable User (subject export as JSON)'],
    });
  });

  it('has a gap for the right to correct until an update endpoint for User exists', () => {
    expect(control(controls, '§1798.106').status).toBe('gap');
    const fixed = ccpa((s) => { s.api.endpoints['PATCH /users/{id}'] = { does: 'update User', roles: ['admin'] }; });
    expect(control(fixed, '§1798.106').status).toBe('met');
  });

  it('exposes User.name under the breach section until it is encrypted', () => {
    expect(control(controls, '§1798.150').gap).toContain('User.name');
    const sealed = ccpa((s) => { s.requirements.data[0].fields = ['User.email', 'User.name']; });
    expect(control(sealed, '§1798.150').status).toBe('met');
  });

  it('judges sensitive personal information only once a field is marked sensitive', () => {
    expect(control(controls, '§1798.121').status).toBe('met');
    const marked = ccpa((s) => { s.data.User.fields.name.sensitive = true; });
    expect(control(marked, '§1798.121')).toMatchObject({ status: 'partial', gap: expect.stringContaining('User.name is marked sensitive but not encrypted') });
  });
});
