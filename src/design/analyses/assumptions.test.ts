import { describe, it, expect } from 'vitest';
import { assumptions } from './assumptions.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';

describe('assumptions', () => {
  it('lists the Linkly figures the budgets used but the spec did not state', () => {
    // gateway states 99.99% but not its latency; links states neither; primary states 99.95% but not its 5 ms;
    // the cache states neither. Traffic and capacity figures are all stated.
    expect(assumptions(linklyModel())).toEqual([
      { what: 'typical latency of gateway', value: '2 ms', field: 'architecture.components.gateway.latency' },
      { what: 'availability of links (one instance)', value: '99.5%', field: 'architecture.components.links.availability' },
      { what: 'typical latency of links', value: '10 ms', field: 'architecture.components.links.latency' },
      { what: 'typical latency of the primary database', value: '5 ms', field: 'architecture.storage.primary.latency' },
      { what: 'availability of the cache (one node)', value: '99.9%', field: 'architecture.storage.cache.availability' },
      { what: 'typical latency of the cache', value: '1 ms', field: 'architecture.storage.cache.latency' },
    ]);
  });

  it('leaves out figures no analysis uses: the worker, the async queue and the unused geoip integration', () => {
    const whats = assumptions(linklyModel()).map((a) => a.what).join(' | ');
    expect(whats).not.toMatch(/analytics|queue|geoip/);
  });

  it('drops a figure once the spec states it', () => {
    const list = assumptions(linklyModel((spec) => { spec.architecture.components.links.availability = '99.9%'; }));
    expect(list.map((a) => a.field)).not.toContain('architecture.components.links.availability');
  });

  it('drops the cache figures once architecture.storage.cache states them', () => {
    const list = assumptions(linklyModel((spec) => { Object.assign(spec.architecture.storage.cache, { availability: '99.95%', latency: '2ms' }); }));
    expect(list.map((a) => a.what).join(' | ')).not.toMatch(/cache/);
  });

  it('names the architecture.storage.queue fields for a queue on the request path', () => {
    const list = assumptions(linklyModel((spec) => { spec.flows.visit.steps[3].async = false; }));
    expect(list).toContainEqual({ what: 'availability of the queue (one node)', value: '99.9%', field: 'architecture.storage.queue.availability' });
    expect(list).toContainEqual({ what: 'typical latency of the queue', value: '2 ms', field: 'architecture.storage.queue.latency' });
    const stated = assumptions(linklyModel((spec) => {
      spec.flows.visit.steps[3].async = false;
      Object.assign(spec.architecture.storage.queue, { availability: '99.99%', latency: '3ms' });
    }));
    expect(stated.map((a) => a.what).join(' | ')).not.toMatch(/queue/);
  });

  it('lists assumed traffic, mix and capacity figures with the fields that replace them', () => {
    const list = assumptions(linklyModel((spec) => {
      delete spec.requirements.nonFunctional.traffic;
      delete spec.scalability.capacity;
    }));
    // defaults: 1 request a minute per user, peak factor 3, mix read 80% / write 20%, service 10/25 ms, db 2/6 ms.
    expect(list.slice(6)).toEqual([
      { what: 'requests per concurrent user', value: '1/min', field: 'requirements.nonFunctional.traffic.requestsPerUser' },
      { what: 'peak-to-average traffic factor', value: '3x', field: 'requirements.nonFunctional.traffic.peakFactor' },
      { what: 'request mix', value: 'read 80%, write 20%', field: 'requirements.nonFunctional.traffic.mix' },
      { what: 'mean service time of a read request on one instance', value: '10 ms', field: 'scalability.capacity.serviceTime.read (with source: measured)' },
      { what: 'mean service time of a write request on one instance', value: '25 ms', field: 'scalability.capacity.serviceTime.write (with source: measured)' },
      { what: 'database time of a read request', value: '2 ms', field: 'scalability.capacity.dbTime.read' },
      { what: 'database time of a write request', value: '6 ms', field: 'scalability.capacity.dbTime.write' },
    ]);
  });

  it('names the integration field for an integration on a flow', () => {
    const list = assumptions(linklyModel((spec) => { delete spec.requirements.integrations.safebrowsing.latency; }));
    expect(list).toContainEqual({ what: 'typical latency of safebrowsing', value: '100 ms', field: 'requirements.integrations.safebrowsing.latency' });
  });
});
