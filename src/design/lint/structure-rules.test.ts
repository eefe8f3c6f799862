import { describe, it, expect } from 'vitest';
import { findingsOf, type SpecObject } from '../test-support/linkly-fixture.ts';

describe('flow-names-nothing', () => {
  it('accepts Linkly flows, each started by an endpoint and doing work', () => {
    expect(findingsOf('flow-names-nothing')).toEqual([]);
  });

  it('flags a flow that only passes the gateway', () => {
    const findings = findingsOf('flow-names-nothing', (spec) => { spec.flows.visit.steps = ['gateway', { to: 'queue', async: true }]; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'flows.visit' });
    expect(findings[0]!.message).toMatch(/no synchronous step beyond the gateway/);
  });

  it('flags a flow no endpoint starts and no requirement names', () => {
    const findings = findingsOf('flow-names-nothing', (spec) => {
      delete spec.flows.shorten.endpoint;
      delete spec.requirements.functional.FR1.flows;
    });
    expect(findings.map((f) => f.message)).toEqual(['shorten names no endpoint that starts it and no requirement refers to it']);
    expect(findingsOf('flow-names-nothing', (spec) => { delete spec.flows.shorten.endpoint; })).toEqual([]);
  });
});

describe('requirement-unsatisfied', () => {
  it('accepts Linkly, where every requirement names endpoints', () => {
    expect(findingsOf('requirement-unsatisfied')).toEqual([]);
  });

  it('flags a requirement with nothing behind it', () => {
    const findings = findingsOf('requirement-unsatisfied', (spec) => { spec.requirements.functional.FR6 = { text: 'export links as CSV' }; });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', path: 'requirements.functional.FR6', message: 'FR6 ("export links as CSV") is satisfied by no endpoint, flow or job' });
  });
});

describe('entity-unreachable', () => {
  it('accepts Linkly entities, each served by an endpoint', () => {
    expect(findingsOf('entity-unreachable')).toEqual([]);
  });

  it('notes an entity no endpoint serves and no consumer writes', () => {
    const findings = findingsOf('entity-unreachable', (spec) => {
      spec.data.Tag = { fields: { label: { type: 'string' } } };
      spec.architecture.storage.primary.holds.push('Tag');
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info', path: 'data.Tag' });
  });

  it('accepts an entity written by an event consumer that owns it', () => {
    expect(findingsOf('entity-unreachable', (spec) => {
      spec.data.Tag = { fields: { label: { type: 'string' } } };
      spec.architecture.storage.primary.holds.push('Tag');
      spec.architecture.components.analytics.owns.push('Tag');
    })).toEqual([]);
  });
});

describe('orphan-event', () => {
  it('accepts link.visited, which analytics consumes', () => {
    expect(findingsOf('orphan-event')).toEqual([]);
  });

  it('flags an event nothing consumes', () => {
    const findings = findingsOf('orphan-event', (spec) => {
      spec.events['link.expired'] = { description: 'a short link expired', producer: 'links' };
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'events["link.expired"]', message: 'nothing consumes link.expired' });
  });
});

describe('worker-without-consumer', () => {
  it('accepts analytics, which consumes link.visited and runs a job', () => {
    expect(findingsOf('worker-without-consumer')).toEqual([]);
  });

  it('flags a worker with neither', () => {
    const findings = findingsOf('worker-without-consumer', (spec) => {
      spec.architecture.components.mailer = { kind: 'worker', purpose: 'sending emails' };
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'architecture.components.mailer' });
  });

  it('accepts a worker that only runs a job', () => {
    expect(findingsOf('worker-without-consumer', (spec) => {
      spec.architecture.components.mailer = { kind: 'worker', purpose: 'sending emails' };
      spec.jobs['send-digest'] = { schedule: '0 8 * * 1', does: 'send the weekly digest', component: 'mailer' };
    })).toEqual([]);
  });
});

describe('tracing-disabled-microservices', () => {
  it('does not apply to a modular monolith', () => {
    expect(findingsOf('tracing-disabled-microservices', (spec) => { spec.observability.tracing = { tool: 'none' }; })).toEqual([]);
  });

  it('flags microservices without tracing, and accepts them with it', () => {
    // Microservices need a service to own every entity, so links takes Visit over from the analytics worker.
    const asMicroservices = (spec: SpecObject) => {
      spec.architecture.style = 'microservices';
      spec.architecture.components.links.owns.push('Visit');
      spec.architecture.components.analytics.owns = [];
    };
    const findings = findingsOf('tracing-disabled-microservices', (spec) => {
      asMicroservices(spec);
      spec.observability.tracing = { tool: 'none' };
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', path: 'observability.tracing.tool' });
    expect(findingsOf('tracing-disabled-microservices', asMicroservices)).toEqual([]);
  });
});

describe('writable-immutable-entity', () => {
  it('accepts Linkly, which declares no immutable entity', () => {
    expect(findingsOf('writable-immutable-entity')).toEqual([]);
  });

  it('is an error on each update or delete endpoint of an immutable entity, not on its reads and creates', () => {
    const findings = findingsOf('writable-immutable-entity', (spec) => { spec.requirements.data.push({ rule: 'immutable', entities: ['Link'] }); });
    expect(findings.map((f) => f.path).sort()).toEqual(['api.endpoints["DELETE /links/{code}"]', 'api.endpoints["PATCH /links/{code}"]']);
    expect(findings[0]).toMatchObject({ severity: 'error' });
    expect(findings[0]!.message).toMatch(/409 immutable_record/);
  });
});
