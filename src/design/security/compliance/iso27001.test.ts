import { describe, it, expect } from 'vitest';
import { iso27001Controls } from './iso27001.ts';
import { linklyModel, type SpecObject } from '../../test-support/linkly-fixture.ts';

const iso = (edit?: (s: SpecObject) => void) => iso27001Controls(linklyModel((s) => {
  s.requirements.nonFunctional.compliance = ['ISO27001'];
  edit?.(s);
}));
const control = (controls: ReturnType<typeof iso27001Controls>, id: string) => {
  const c = controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
};

describe('ISO/IEC 27001:2022 Annex A controls', () => {
  const controls = iso();

  it('cites Annex A organizational and technological controls', () => {
    expect(controls.map((c) => c.id)).toEqual([
      'A.5.15', 'A.5.23', 'A.5.30', 'A.5.34', 'A.8.5', 'A.8.12', 'A.8.13', 'A.8.15', 'A.8.16', 'A.8.20', 'A.8.24', 'A.8.25, A.8.28', 'A.8.32',
    ]);
  });

  it('keeps backup partial with point-in-time restore but no stated objectives, and meets it with a backup rule', () => {
    expect(control(controls, 'A.8.13')).toMatchObject({ status: 'partial', satisfiedBy: ['resilience.recovery: point-in-time-restore'] });
    const stated = iso((s) => { s.requirements.data.push({ rule: 'backup', rpo: '1h', rto: '4h' }); });
    expect(control(stated, 'A.8.13')).toMatchObject({ status: 'met', satisfiedBy: ['requirements.data: backup RPO 1h, RTO 4h', 'resilience.recovery: point-in-time-restore'] });
  });

  it('meets data leakage prevention from redaction, piiRoles and enumeration protection, and loses it without enumeration', () => {
    expect(control(controls, 'A.8.12').status).toBe('met');
    const open = iso((s) => { s.security.protections = s.security.protections.filter((p: string) => p !== 'enumeration'); });
    expect(control(open, 'A.8.12').gap).toContain('add enumeration to security.protections');
  });

  it('asks for a stated region under cloud services when the deployment has none', () => {
    const c = control(iso((s) => { delete s.deployment.region; }), 'A.5.23');
    expect(c.gap).toContain('set deployment.region');
  });

  it('meets change management and secure development from the spec', () => {
    expect(control(controls, 'A.8.32').status).toBe('met');
    expect(control(controls, 'A.8.25, A.8.28').status).toBe('met');
  });

  it('turns monitoring partial when tracing is off', () => {
    const c = control(iso((s) => { s.observability.tracing = { tool: 'none' }; }), 'A.8.16');
    expect(c).toMatchObject({ status: 'partial', gap: 'set observability.tracing.tool: opentelemetry' });
  });
});
