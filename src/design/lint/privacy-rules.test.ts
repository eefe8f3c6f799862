import { describe, it, expect } from 'vitest';
import { findingsOf } from '../test-support/linkly-fixture.ts';

describe('pii-without-encryption', () => {
  it('flags Linkly User.name: personal data, GDPR listed, but only User.email is encrypted', () => {
    const findings = findingsOf('pii-without-encryption');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'data.User.fields.name', at: { line: 107, column: 13 } });
    expect(findings[0]!.message).toBe('User.name holds personal data in clear text at rest, with GDPR listed');
  });

  it('stays quiet once the field is encrypted, or when neither GDPR nor HIPAA is listed', () => {
    expect(findingsOf('pii-without-encryption', (spec) => { spec.requirements.data[0].fields.push('User.name'); })).toEqual([]);
    expect(findingsOf('pii-without-encryption', (spec) => { spec.requirements.nonFunctional.compliance = ['SOC2']; })).toEqual([]);
  });
});

describe('pii-without-retention', () => {
  it('accepts Linkly: User holds PII and is erasable', () => {
    expect(findingsOf('pii-without-retention')).toEqual([]);
  });

  it('flags an entity with PII and neither a retention nor an erasable rule', () => {
    const findings = findingsOf('pii-without-retention', (spec) => { spec.data.Link.fields.note = { type: 'string', pii: true }; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'data.Link' });
    expect(findings[0]!.message).toBe('Link holds personal data (note) but is kept forever and cannot be erased on request');
  });

  it('accepts a retention rule instead of erasure, and does not apply without GDPR', () => {
    // Visit has a 400d retention rule in Linkly.
    expect(findingsOf('pii-without-retention', (spec) => { spec.data.Visit.fields.ip = { type: 'string', pii: true }; })).toEqual([]);
    expect(findingsOf('pii-without-retention', (spec) => {
      spec.data.Link.fields.note = { type: 'string', pii: true };
      spec.requirements.nonFunctional.compliance = ['SOC2'];
    })).toEqual([]);
  });
});

describe('sensitive-data-in-logs', () => {
  it('accepts redacted logs', () => {
    expect(findingsOf('sensitive-data-in-logs')).toEqual([]);
  });

  it('flags unredacted logs while PII exists', () => {
    const findings = findingsOf('sensitive-data-in-logs', (spec) => { spec.observability.logs.redact = 'none'; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', path: 'observability.logs.redact' });
    expect(findings[0]!.message).toBe('logs are written unredacted (redact: none) while User.email, User.name are personal data');
  });
});

describe('per-user-data-in-shared-cache', () => {
  it('accepts caching the public redirect', () => {
    expect(findingsOf('per-user-data-in-shared-cache')).toEqual([]);
  });

  it('is a warning on a cached endpoint with scope own: one entry per user, the entity cache serves better', () => {
    const findings = findingsOf('per-user-data-in-shared-cache', (spec) => { spec.api.endpoints['GET /links'].cache = '30s'; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'api.endpoints["GET /links"]' });
    expect(findings[0]!.message).toMatch(/scope: own.*one entry per user/);
    expect(findings[0]!.hint).toMatch(/scalability\.cache: \{ Link: 60s \}/);
  });

  it('is information on a cached endpoint limited to roles: keyed by role set, authorized first', () => {
    const findings = findingsOf('per-user-data-in-shared-cache', (spec) => { spec.api.endpoints['GET /links/{link}/visits'].cache = '30s'; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info', path: 'api.endpoints["GET /links/{link}/visits"]' });
    expect(findings[0]!.message).toMatch(/keyed by role set/);
  });

  it('also catches an endpoint cached from scalability.cache', () => {
    const findings = findingsOf('per-user-data-in-shared-cache', (spec) => { spec.scalability.cache['GET /links/{code}'] = '30s'; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'scalability.cache["GET /links/{code}"]' });
  });
});
