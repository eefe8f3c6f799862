import { describe, it, expect } from 'vitest';
import { soc2Controls } from './soc2.ts';
import { linklyModel } from '../../test-support/linkly-fixture.ts';

const control = (controls: ReturnType<typeof soc2Controls>, id: string) => {
  const c = controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
};

describe('SOC 2 controls on linkly', () => {
  const controls = soc2Controls(linklyModel());

  it('covers CC6, CC7, CC8, A1, PI1 and C1 criteria', () => {
    expect(controls.map((c) => c.id)).toEqual([
      'CC6.1', 'CC6.2', 'CC6.3', 'CC6.6', 'CC6.7', 'CC7.1', 'CC7.2', 'CC7.3', 'CC7.4', 'CC8.1', 'A1.2', 'PI1.2', 'C1.1', 'C1.2',
    ]);
  });

  it('meets change management from the pipeline, three environments and canary rollback', () => {
    expect(control(controls, 'CC8.1')).toMatchObject({
      status: 'met',
      satisfiedBy: expect.arrayContaining(['deployment.environments: dev -> staging -> prod', 'deployment.rollback: canary on slo-burn, failed-readiness, error-rate']),
    });
  });

  it('keeps boundary protection partial because GET /r/{code} is public without a rate limit', () => {
    const c = control(controls, 'CC6.6');
    expect(c.status).toBe('partial');
    expect(c.gap).toBe('GET /r/{code} is public without a rateLimit: add one, or list ddos in security.protections');
  });

  it('credits the readOnly User.role for user registration but keeps the access review outside', () => {
    const c = control(controls, 'CC6.2');
    expect(c.satisfiedBy).toContain('User.role is readOnly (callers cannot grant themselves a role)');
    expect(c.status).toBe('partial');
  });

  it('asks for idempotent sign-up for input completeness', () => {
    expect(control(controls, 'PI1.2').gap).toBe('set idempotent: true on POST /users so a retried request cannot write twice');
  });
});

describe('SOC 2 controls on edited specs', () => {
  it('meets CC6.6 once ddos is a listed protection', () => {
    const model = linklyModel((s) => { s.security.protections.push('ddos'); });
    expect(control(soc2Controls(model), 'CC6.6').status).toBe('met');
  });

  it('loses change management with a single environment', () => {
    const model = linklyModel((s) => { s.deployment.environments = ['prod']; });
    expect(control(soc2Controls(model), 'CC8.1')).toMatchObject({ status: 'partial', gap: 'add a staging environment before production in deployment.environments' });
  });

  it('flags a writable role field as a registration gap', () => {
    const model = linklyModel((s) => { s.data.User.fields.role.readOnly = false; });
    expect(control(soc2Controls(model), 'CC6.2').gap).toContain('User.role is writable: mark it readOnly: true');
  });

  it('meets A1.2 with stated backup objectives and a redundant worker', () => {
    const model = linklyModel((s) => {
      s.requirements.data.push({ rule: 'backup', rpo: '15m', rto: '1h' });
      s.scalability.horizontal.components.push('analytics');
    });
    expect(control(soc2Controls(model), 'A1.2').status).toBe('met');
  });
});
