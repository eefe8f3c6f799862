import { describe, it, expect } from 'vitest';
import { threatTables } from './threat-model.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';
import type { ThreatTable } from '../design-report.ts';

const table = (tables: ThreatTable[], component: string) => {
  const t = tables.find((x) => x.component === component);
  if (!t) throw new Error(`no table for ${component}`);
  return t;
};
const find = (t: ThreatTable, text: string) => {
  const threat = t.threats.find((x) => x.threat.includes(text));
  if (!threat) throw new Error(`no threat mentioning "${text}" in ${t.component}`);
  return threat;
};

describe('threatTables on linkly', () => {
  const tables = threatTables(linklyModel());

  it('has one table per component, then the primary database and each integration', () => {
    expect(tables.map((t) => [t.component, t.kind])).toEqual([
      ['gateway', 'gateway'], ['links', 'service'], ['analytics', 'worker'], ['primary', 'database'],
      ['safebrowsing', 'integration'], ['geoip', 'integration'],
    ]);
  });

  it('uses only STRIDE categories', () => {
    const stride = ['Spoofing', 'Tampering', 'Repudiation', 'Information disclosure', 'Denial of service', 'Elevation of privilege'];
    for (const t of tables) for (const x of t.threats) expect(stride).toContain(x.category);
  });

  it('gives the gateway spoofed-token, stuffing and flood threats, naming the unthrottled public endpoint', () => {
    const gateway = table(tables, 'gateway');
    expect(find(gateway, 'bearer tokens or API keys')).toMatchObject({ category: 'Spoofing', mitigated: true });
    expect(find(gateway, 'credential stuffing')).toMatchObject({ mitigation: 'loginLimit 5/min', mitigated: true });
    expect(find(gateway, 'request floods')).toMatchObject({ threat: 'request floods on GET /r/{code} (public, no rateLimit)', mitigated: false });
  });

  it('does not repeat endpoint threats on the gateway', () => {
    expect(table(tables, 'gateway').threats.some((x) => x.threat.startsWith('BOLA'))).toBe(false);
  });

  it('gives the service BOLA on its Link endpoints, mitigated by Link.owner and the bola protection', () => {
    expect(find(table(tables, 'links'), 'BOLA')).toMatchObject({
      category: 'Elevation of privilege',
      threat: "BOLA/IDOR: a caller changes {code} in GET /links/{code}, PATCH /links/{code} and DELETE /links/{code} to reach another user's Link",
      mitigated: true,
    });
  });

  it('gives the worker a replay threat on link.visited that the spec leaves open, and its job threats', () => {
    const analytics = table(tables, 'analytics');
    expect(find(analytics, 'redelivered or replayed link.visited')).toMatchObject({ category: 'Tampering', mitigated: false });
    expect(find(analytics, 'whether purge-visits ran')).toMatchObject({ mitigation: 'add job-runs to observability.metrics', mitigated: false });
  });

  it('names the clear pii field the database would disclose', () => {
    expect(find(table(tables, 'primary'), 'stolen disk')).toMatchObject({
      threat: 'a stolen disk, snapshot or backup of postgres exposes User.name (User.email encrypted)', mitigated: false,
    });
  });

  it('checks each integration for SSRF, spoofing and cascading failure', () => {
    const sb = table(tables, 'safebrowsing');
    expect(find(sb, 'SSRF')).toMatchObject({ category: 'Elevation of privilege', mitigated: true });
    expect(find(sb, 'spoofed safebrowsing response').mitigated).toBe(false);
    expect(find(sb, 'cascading failure')).toMatchObject({ threat: 'a slow or failing safebrowsing ties up links (flow shorten) (cascading failure)', mitigated: true });
  });
});

describe('threatTables on edited specs', () => {
  it('adds browser threats for a frontend and job threats for a scheduler', () => {
    const tables = threatTables(linklyModel((s) => {
      s.architecture.components.web = { kind: 'frontend', purpose: 'the dashboard' };
      s.architecture.components.cron = { kind: 'scheduler', purpose: 'runs the purge' };
      s.jobs['purge-visits'].component = 'cron';
    }));
    expect(find(table(tables, 'web'), 'XSS')).toMatchObject({ mitigation: 'add xss to security.protections', mitigated: false });
    expect(table(tables, 'cron').threats.map((x) => x.category)).toEqual(['Denial of service', 'Tampering', 'Repudiation']);
    expect(table(tables, 'analytics').threats.some((x) => x.threat.includes('purge-visits'))).toBe(false);
  });

  it('mitigates the floods once ddos is listed', () => {
    const tables = threatTables(linklyModel((s) => { s.security.protections.push('ddos'); }));
    expect(find(table(tables, 'gateway'), 'request floods').mitigated).toBe(true);
    expect(find(table(tables, 'links'), 'floods of').mitigated).toBe(true);
  });
});
