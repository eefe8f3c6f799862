import { describe, it, expect } from 'vitest';
import { LINT_RULES } from './index.ts';
import { linklyModel, lintModel } from '../test-support/linkly-fixture.ts';

const REQUIRED = [
  'single-point-of-failure', 'availability-target-unreachable', 'unauthenticated-write', 'endpoint-without-access-rule',
  'pii-without-encryption', 'pii-without-retention', 'sensitive-data-in-logs', 'per-user-data-in-shared-cache',
  'integration-without-timeout', 'integration-without-breaker', 'retry-without-idempotency', 'timeout-exceeds-budget',
  'flow-names-nothing', 'requirement-unsatisfied', 'latency-infeasible', 'capacity-infeasible', 'capacity-exceeds-max',
  'no-rate-limit-on-login', 'entity-unreachable', 'orphan-event', 'worker-without-consumer', 'single-database-no-backup',
  'missing-pci-protection', 'tracing-disabled-microservices', 'writable-immutable-entity',
];

describe('LINT_RULES', () => {
  it('lists every rule once, with a kebab-case id and a title', () => {
    const ids = LINT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...REQUIRED].sort());
    for (const rule of LINT_RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(rule.title.length).toBeGreaterThan(10);
    }
  });
});

describe('lintDesign', () => {
  const findings = lintModel(linklyModel());

  it('finds three weaknesses in Linkly: a timeout over budget, an unencrypted PII field and a fleet over its maximum', () => {
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.path}`)).toEqual([
      'warning timeout-exceeds-budget flows.shorten.steps[2]',
      'warning pii-without-encryption data.User.fields.name',
      'warning capacity-exceeds-max scalability.instances.max',
    ]);
  });

  it('points each finding at the Linkly file and gives a hint', () => {
    for (const f of findings) {
      expect(f.at.file).toMatch(/test\/fixtures\/linkly-v0\/archspec\.yaml$/);
      expect(f.at.line).toBeGreaterThan(0);
      expect(f.hint).not.toBe('');
    }
  });

  it('sorts errors first, then by position in the file', () => {
    const mixed = lintModel(linklyModel((spec) => {
      spec.observability.logs.redact = 'none';
      spec.requirements.functional.FR6 = { text: 'export links as CSV' };
    }));
    const order = { error: 0, warning: 1, info: 2 };
    const keys = mixed.map((f) => [order[f.severity], f.at.line, f.at.column]);
    expect(keys).toEqual([...keys].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!));
    expect(mixed.slice(0, 2).map((f) => f.rule)).toEqual(['requirement-unsatisfied', 'sensitive-data-in-logs']);
  });

  it('gives findings the severity their rule lists, except the graded cache rule', () => {
    const severity = new Map(LINT_RULES.map((r) => [r.id, r.severity]));
    const many = lintModel(linklyModel((spec) => {
      spec.observability.logs.redact = 'none';
      delete spec.api.auth.loginLimit;
      spec.api.endpoints['GET /links'].cache = '30s';
    }));
    for (const f of many) expect(f.severity).toBe(severity.get(f.rule));
  });
});
