import { describe, it, expect } from 'vitest';
import { callersOf, databaseThreats, integrationThreats } from './dependency-threats.ts';
import { linklyModel, type SpecObject } from '../test-support/linkly-fixture.ts';

const integration = (name: string, edit?: (s: SpecObject) => void) => {
  const model = linklyModel(edit);
  return integrationThreats(model.requirements.integrations.find((i) => i.name === name)!, model);
};
const find = (threats: ReturnType<typeof databaseThreats>, text: string) => {
  const t = threats.find((x) => x.threat.includes(text));
  if (!t) throw new Error(`no threat mentioning "${text}"`);
  return t;
};

describe('databaseThreats', () => {
  it('mitigates disclosure once every pii field is encrypted', () => {
    const sealed = databaseThreats(linklyModel((s) => { s.requirements.data[0].fields = ['User.email', 'User.name']; }));
    expect(find(sealed, 'stolen disk')).toMatchObject({
      threat: 'a stolen disk, snapshot or backup of postgres exposes User.email and User.name',
      mitigation: 'encrypted-at-rest User.email and User.name (aes-256-gcm, key from env:ARCHSPEC_KEY)',
      mitigated: true,
    });
  });

  it('audits the user-attributable entities User and Link, not the visit log', () => {
    expect(find(databaseThreats(linklyModel()), 'attributed')).toMatchObject({ mitigation: 'audit rule on User and Link', mitigated: true });
  });

  it('leaves destruction open without backups or point-in-time restore', () => {
    const threats = databaseThreats(linklyModel((s) => { s.resilience.recovery = ['retry']; }));
    expect(find(threats, 'deleted or corrupted')).toMatchObject({ mitigation: 'add a backup rule or point-in-time-restore to resilience.recovery', mitigated: false });
  });
});

describe('integrationThreats', () => {
  it('names the flow that calls safebrowsing', () => {
    expect(callersOf('safebrowsing', linklyModel())).toEqual(['links (flow shorten)']);
  });

  it('flags the fail-open fallback with the timeout an attacker has to beat', () => {
    expect(find(integration('safebrowsing'), 'fails open')).toMatchObject({
      threat: 'anyone who slows safebrowsing past its 300ms timeout skips it: fallback: allow fails open', mitigated: false,
    });
    expect(integration('safebrowsing', (s) => { s.requirements.integrations.safebrowsing.fallback = 'deny'; }).some((t) => t.threat.includes('fails open'))).toBe(false);
  });

  it('leaves cascading failure open without a breaker', () => {
    const threats = integration('geoip', (s) => { delete s.requirements.integrations.geoip.breaker; });
    expect(find(threats, 'cascading failure')).toMatchObject({ mitigation: 'timeout 100ms, add a breaker, fallback allow', mitigated: false });
  });

  it('trusts an https URL against spoofed responses', () => {
    const threats = integration('geoip', (s) => { s.requirements.integrations.geoip.url = 'https://geoip.example.com'; });
    expect(find(threats, 'spoofed geoip response').mitigated).toBe(true);
  });

  it('opens SSRF when the integration may reach private addresses', () => {
    const threats = integration('geoip', (s) => { s.requirements.integrations.geoip.allowPrivateNetwork = true; });
    expect(find(threats, 'SSRF')).toMatchObject({ mitigation: 'remove allowPrivateNetwork from geoip', mitigated: false });
  });

  it('flags retries of a non-idempotent call', () => {
    const threats = integration('safebrowsing', (s) => { s.requirements.integrations.safebrowsing.idempotent = false; });
    expect(find(threats, '2 retries repeat')).toMatchObject({ mitigation: 'mark safebrowsing idempotent: true, or set retry: 0', mitigated: false });
  });
});
