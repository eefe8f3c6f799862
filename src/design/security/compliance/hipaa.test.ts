import { describe, it, expect } from 'vitest';
import { hipaaControls } from './hipaa.ts';
import { linklyModel, type SpecObject } from '../../test-support/linkly-fixture.ts';

const hipaa = (edit?: (s: SpecObject) => void) => hipaaControls(linklyModel((s) => {
  s.requirements.nonFunctional.compliance = ['HIPAA'];
  edit?.(s);
}));
const control = (controls: ReturnType<typeof hipaaControls>, id: string) => {
  const c = controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
};

describe('HIPAA Security Rule controls', () => {
  const controls = hipaa();

  it('cites 45 CFR 164.308, 164.312, 164.314 and 164.316 safeguards', () => {
    expect(controls.length).toBe(14);
    expect(controls.map((c) => c.id)).toEqual(expect.arrayContaining([
      '164.312(a)(1)', '164.312(a)(2)(iv)', '164.312(b)', '164.312(c)(1)', '164.312(d)', '164.312(e)(1)',
      '164.308(a)(1)(ii)(D)', '164.308(a)(7)(ii)(A)', '164.316(b)(2)(i)',
    ]));
  });

  it('treats pii fields as ePHI: encryption is partial while User.name is stored in clear', () => {
    const c = control(controls, '164.312(a)(2)(iv)');
    expect(c.status).toBe('partial');
    expect(c.gap).toContain('User.name');
  });

  it('meets audit controls from the audit rule on User and Link, logs and tracing', () => {
    expect(control(controls, '164.312(b)')).toMatchObject({
      status: 'met',
      satisfiedBy: expect.arrayContaining(['requirements.data: audit User, Link', 'observability.tracing: opentelemetry (otlp, 10% sampled)']),
    });
  });

  it('meets automatic logoff with 15-minute access tokens and misses it with 1-hour ones', () => {
    expect(control(controls, '164.312(a)(2)(iii)').status).toBe('met');
    const long = control(hipaa((s) => { s.api.auth.accessTtl = '1h'; }), '164.312(a)(2)(iii)');
    expect(long).toMatchObject({ status: 'partial', gap: 'shorten api.auth.accessTtl to at most 15m' });
  });

  it('needs MFA for person authentication, and meets it once api.auth.mfa is true', () => {
    expect(control(controls, '164.312(d)')).toMatchObject({ status: 'partial', gap: 'set api.auth.mfa: true' });
    expect(control(hipaa((s) => { s.api.auth.mfa = true; }), '164.312(d)').status).toBe('met');
  });

  it('asks for six years of log retention, and only the organisational part remains once it is set', () => {
    expect(control(controls, '164.316(b)(2)(i)').gap).toContain('raise observability.logs.retention to at least 2190d');
    const kept = control(hipaa((s) => { s.observability.logs.retention = '2190d'; }), '164.316(b)(2)(i)');
    expect(kept.status).toBe('partial');
    expect(kept.gap).toBe('keeping policies, procedures and assessments for six years (outside archspec)');
  });

  it('needs stated recovery objectives and a redundant analytics worker for the disaster recovery plan', () => {
    const c = control(controls, '164.308(a)(7)(ii)(B)');
    expect(c.status).toBe('partial');
    const fixed = control(hipaa((s) => {
      s.requirements.data.push({ rule: 'backup', rpo: '5m', rto: '1h' });
      s.resilience.redundancy.analytics = { approach: 'two consumers in a queue group', replicas: 2 };
    }), '164.308(a)(7)(ii)(B)');
    expect(fixed.status).toBe('met');
    expect(fixed.satisfiedBy).toContain('requirements.data: backup RPO 5m, RTO 1h');
  });

  it('asks for an alert on failed sign-ins for log-in monitoring', () => {
    expect(control(controls, '164.308(a)(5)(ii)(C)').gap).toContain('add an alert on failed sign-ins');
    const watched = hipaa((s) => { s.observability.alerts.push({ name: 'failed logins', when: 'login failures > 50 in 5m', severity: 'ticket' }); });
    expect(control(watched, '164.308(a)(5)(ii)(C)').status).toBe('met');
  });
});
