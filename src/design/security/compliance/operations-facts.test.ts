import { describe, it, expect } from 'vitest';
import {
  boundary, changeManagement, inputIntegrity, integrationTransport, logRetention, logRetentionStated, monitoring, redundancy, webProtections,
} from './operations-facts.ts';
import { linklyModel } from '../../test-support/linkly-fixture.ts';

const DAY = 86_400_000;

describe('operations facts on linkly', () => {
  const model = linklyModel();

  it('compares stated log retention with a minimum', () => {
    expect(logRetention(model, 30 * DAY)).toEqual([{ has: 'observability.logs.retention: 30d' }]);
    expect(logRetention(model, 90 * DAY)[1]).toEqual({ needs: 'raise observability.logs.retention to at least 90d' });
  });

  it('names the worker that is neither redundant nor scaled out', () => {
    expect(redundancy(model)).toContainEqual({ needs: 'analytics is neither redundant nor scaled out: add resilience.redundancy or scalability.horizontal entries' });
    expect(redundancy(model)).toContainEqual({ has: 'resilience.redundancy: gateway x3, links x3' });
  });

  it('credits the derived SLO pages and the stated alert', () => {
    expect(monitoring(model)).toContainEqual({ has: 'SLO burn-rate pages derived from availability 99.95%' });
    expect(monitoring(model)).toContainEqual({ has: 'observability.alerts: safebrowsing breaker open' });
  });

  it('expects ssrf protection because of the integrations and the Link.target url field', () => {
    expect(webProtections(model)).toEqual([{ has: 'security.protections: sql-injection, bola, mass-assignment, ssrf' }]);
  });

  it('lists rate-limited endpoints and the public one without a limit', () => {
    expect(boundary(model)).toEqual([
      { has: 'architecture.components: gateway (gateway in front of the services)' },
      { has: 'rateLimit on POST /users 10/hour, POST /links 60/min' },
      { needs: 'GET /r/{code} is public without a rateLimit: add one, or list ddos in security.protections' },
    ]);
  });

  it('credits the idempotent POST /links and asks the same of POST /users', () => {
    const facts = inputIntegrity(model);
    expect(facts).toContainEqual({ has: 'idempotent: true on POST /links' });
    expect(facts).toContainEqual({ needs: 'set idempotent: true on POST /users so a retried request cannot write twice' });
  });

  it('finds nothing to say about env: integration URLs', () => {
    expect(integrationTransport(model)).toEqual([]);
  });
});

describe('operations facts on edited specs', () => {
  it('asks for a retention when none is stated', () => {
    const model = linklyModel((s) => { delete s.observability.logs.retention; });
    expect(logRetentionStated(model)).toEqual({ needs: 'set observability.logs.retention (logs hold personal data too)' });
    expect(logRetention(model, DAY)).toEqual([{ needs: 'set observability.logs.retention to at least 1d' }]);
  });

  it('flags an integration reached over plain http', () => {
    const model = linklyModel((s) => { s.requirements.integrations.geoip.url = 'http://geoip.internal.example.com'; });
    expect(integrationTransport(model)).toEqual([{ needs: 'requirements.integrations.geoip.url is plain http: use https' }]);
  });

  it('expects browser protections once there is a frontend', () => {
    const model = linklyModel((s) => { s.architecture.components.web = { kind: 'frontend', purpose: 'the dashboard' }; });
    expect(webProtections(model)[1]).toEqual({ needs: 'add xss, csrf, clickjacking to security.protections' });
  });

  it('needs a database standby and an environment before production', () => {
    const model = linklyModel((s) => {
      delete s.resilience.redundancy.primary;
      s.deployment.environments = ['prod'];
    });
    expect(redundancy(model)).toContainEqual({ needs: 'add resilience.redundancy.primary (a standby with automatic failover)' });
    expect(changeManagement(model)).toContainEqual({ needs: 'add a staging environment before production in deployment.environments' });
  });
});
