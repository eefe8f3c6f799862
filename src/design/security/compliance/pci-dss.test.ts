import { describe, it, expect } from 'vitest';
import { pciDssControls } from './pci-dss.ts';
import { linklyModel, type SpecObject } from '../../test-support/linkly-fixture.ts';

const pci = (edit?: (s: SpecObject) => void) => pciDssControls(linklyModel((s) => {
  s.requirements.nonFunctional.compliance = ['PCI-DSS'];
  edit?.(s);
}));
const control = (controls: ReturnType<typeof pciDssControls>, id: string) => {
  const c = controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
};
const withCard = (s: SpecObject) => { s.data.User.fields.card = { type: 'string', maxLength: 19, required: false, sensitive: true }; };

describe('PCI DSS v4.0 requirements', () => {
  const controls = pci();

  it('cites v4.0 requirement numbers from 1 to 12', () => {
    expect(controls.map((c) => c.id)).toEqual([
      'Req. 1.3', 'Req. 3.5.1', 'Req. 3.6.1', 'Req. 4.2.1', 'Req. 6.2.4', 'Req. 6.4.2', 'Req. 7.2.1', 'Req. 8.3.1', 'Req. 8.3.4',
      'Req. 8.4.2', 'Req. 10.2.1', 'Req. 10.5.1', 'Req. 11.3-11.4', 'Req. 12.10.1',
    ]);
  });

  it('has no PAN protection to credit when no field is marked sensitive', () => {
    expect(control(controls, 'Req. 3.5.1')).toMatchObject({ status: 'gap', satisfiedBy: [] });
  });

  it('names a sensitive field stored in clear, and meets 3.5.1 once it is encrypted', () => {
    expect(control(pci(withCard), 'Req. 3.5.1')).toMatchObject({
      status: 'gap', gap: 'User.card is marked sensitive but not encrypted at rest: add it to the encrypted-at-rest rule',
    });
    const sealed = pci((s) => { withCard(s); s.requirements.data[0].fields.push('User.card'); });
    expect(control(sealed, 'Req. 3.5.1')).toMatchObject({ status: 'met', satisfiedBy: ['requirements.data: encrypted-at-rest User.card (aes-256-gcm)'] });
  });

  it('computes that loginLimit 5/min allows 150 guesses in 30 minutes, and meets 8.3.4 at 20/hour', () => {
    expect(control(controls, 'Req. 8.3.4').gap).toBe('loginLimit 5/min allows 150 attempts per 30m; lower it to 20/hour so an account locks after 10 failures');
    expect(control(pci((s) => { s.api.auth.loginLimit = '20/hour'; }), 'Req. 8.3.4')).toMatchObject({
      status: 'met', satisfiedBy: ['api.auth.loginLimit: 20/hour (at most 10 attempts per 30m)'],
    });
  });

  it('needs a year of audit logs: 30 days falls short, 400 days meets 10.5.1', () => {
    expect(control(controls, 'Req. 10.5.1')).toMatchObject({ status: 'partial', gap: 'raise observability.logs.retention to at least 365d' });
    expect(control(pci((s) => { s.observability.logs.retention = '400d'; }), 'Req. 10.5.1').status).toBe('met');
  });

  it('reports scans and penetration tests as a gap the spec cannot close', () => {
    expect(control(controls, 'Req. 11.3-11.4')).toMatchObject({ status: 'gap', satisfiedBy: [] });
    expect(control(controls, 'Req. 11.3-11.4').gap).toContain('(outside archspec)');
  });

  it('meets 6.2.4 from the listed protections and loses it when sql-injection is dropped', () => {
    expect(control(controls, 'Req. 6.2.4').status).toBe('met');
    const weaker = pci((s) => { s.security.protections = s.security.protections.filter((p: string) => p !== 'sql-injection'); });
    expect(control(weaker, 'Req. 6.2.4')).toMatchObject({ status: 'partial', gap: 'add sql-injection to security.protections' });
  });

  it('needs MFA for 8.4.2', () => {
    expect(control(controls, 'Req. 8.4.2').status).toBe('gap');
    expect(control(pci((s) => { s.api.auth.mfa = true; }), 'Req. 8.4.2').status).toBe('met');
  });
});
