import { describe, it, expect } from 'vitest';
import { gdprControls } from './gdpr.ts';
import { linklyModel } from '../../test-support/linkly-fixture.ts';

const control = (controls: ReturnType<typeof gdprControls>, id: string) => {
  const c = controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${id}`);
  return c;
};

describe('GDPR controls on linkly', () => {
  const controls = gdprControls(linklyModel());

  it('covers eleven articles, each once', () => {
    expect(controls.map((c) => c.id)).toEqual([
      'Art. 5(1)(e)', 'Art. 15', 'Art. 16', 'Art. 17', 'Art. 20', 'Art. 25', 'Art. 28', 'Art. 30', 'Art. 32', 'Art. 33', 'Art. 44',
    ]);
  });

  it('meets storage limitation from the Visit retention rule, the User erasable rule and log retention', () => {
    expect(control(controls, 'Art. 5(1)(e)')).toMatchObject({
      status: 'met',
      satisfiedBy: ['requirements.data: retention Visit 400d', 'requirements.data: erasable User', 'observability.logs.retention: 30d'],
    });
  });

  it('meets erasure through the erasable rule, cascading to Link and Visit', () => {
    expect(control(controls, 'Art. 17')).toMatchObject({ status: 'met', satisfiedBy: ['requirements.data: erasable User (deletion cascades to Link, Visit)'] });
  });

  it('finds no rectification endpoint for User', () => {
    const c = control(controls, 'Art. 16');
    expect(c.status).toBe('gap');
    expect(c.gap).toContain('add an update endpoint for User');
  });

  it('keeps security of processing partial: User.email is encrypted but User.name is not', () => {
    const c = control(controls, 'Art. 32');
    expect(c.status).toBe('partial');
    expect(c.satisfiedBy).toContain('requirements.data: encrypted-at-rest User.email (aes-256-gcm)');
    expect(c.satisfiedBy).toContain('security.encryption.inTransit: tls1.3');
    expect(c.gap).toBe('User.name is personal data but not encrypted at rest: add it to the encrypted-at-rest rule');
  });

  it('keeps transfers partial: eu-west-1 hosting but no residency rule, and two integrations receive data', () => {
    const c = control(controls, 'Art. 44');
    expect(c.status).toBe('partial');
    expect(c.satisfiedBy).toEqual(['deployment.region: eu-west-1']);
    expect(c.gap).toContain('add { rule: residency, region: eu }');
    expect(c.gap).toContain('safebrowsing and geoip');
  });

  it('never meets the processor article from the spec alone: the DPA is organisational', () => {
    const c = control(controls, 'Art. 28');
    expect(c.status).toBe('partial');
    expect(c.gap).toMatch(/data processing agreement .* with safebrowsing, geoip and the hosting provider \(outside archspec\)/);
  });
});

describe('GDPR controls on edited specs', () => {
  it('meets Art. 32 once User.name joins the encrypted-at-rest rule', () => {
    const model = linklyModel((s) => { s.requirements.data[0].fields = ['User.email', 'User.name']; });
    const c = control(gdprControls(model), 'Art. 32');
    expect(c.status).toBe('met');
    expect(c.satisfiedBy[0]).toBe('requirements.data: encrypted-at-rest User.email, User.name (aes-256-gcm)');
  });

  it('turns Art. 44 into a gap without a region, and meets it with an EU residency rule and no third parties', () => {
    const noRegion = linklyModel((s) => { delete s.deployment.region; });
    expect(control(gdprControls(noRegion), 'Art. 44').status).toBe('gap');
    const resident = linklyModel((s) => {
      s.requirements.data.push({ rule: 'residency', region: 'eu' });
      delete s.requirements.integrations;
      s.flows.shorten.steps = s.flows.shorten.steps.filter((step: { to?: string }) => step.to !== 'safebrowsing');
    });
    expect(control(gdprControls(resident), 'Art. 44')).toMatchObject({
      status: 'met', satisfiedBy: ['requirements.data: residency eu', 'deployment.region: eu-west-1'],
    });
  });

  it('flags residency outside the EEA as needing transfer safeguards', () => {
    const model = linklyModel((s) => { s.requirements.data.push({ rule: 'residency', region: 'us-east-1' }); });
    expect(control(gdprControls(model), 'Art. 44').gap).toContain('us-east-1, outside the EEA');
  });

  it('meets Art. 16 when an update endpoint for User exists', () => {
    const model = linklyModel((s) => { s.api.endpoints['PATCH /users/{id}'] = { does: 'update User', roles: ['admin'] }; });
    expect(control(gdprControls(model), 'Art. 16')).toMatchObject({ status: 'met', satisfiedBy: ['api.endpoints: PATCH /users/{id} (update User)'] });
  });

  it('names a restrict relationship that blocks erasure', () => {
    const model = linklyModel((s) => { s.data.Link.fields.owner.onDelete = 'restrict'; });
    const c = control(gdprControls(model), 'Art. 17');
    expect(c.status).toBe('partial');
    expect(c.gap).toBe('Link.owner is onDelete: restrict, which blocks erasing a User: make it cascade or set-null');
  });

  it('makes every subject right a gap without an erasable rule', () => {
    const model = linklyModel((s) => { s.requirements.data = s.requirements.data.filter((r: { rule: string }) => r.rule !== 'erasable'); });
    const controls = gdprControls(model);
    for (const id of ['Art. 15', 'Art. 17', 'Art. 20']) expect(control(controls, id).status).toBe('gap');
  });

  it('loses protection by design when every role sees PII and logs are not redacted', () => {
    const model = linklyModel((s) => {
      s.security.piiRoles = ['user', 'admin'];
      s.observability.logs.redact = 'none';
    });
    const c = control(gdprControls(model), 'Art. 25');
    expect(c.status).toBe('partial');
    expect(c.gap).toContain('every role (user, admin) is in security.piiRoles');
    expect(c.gap).toContain('set observability.logs.redact: pii');
  });
});
