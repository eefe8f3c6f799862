import { describe, it, expect } from 'vitest';
import { endpointThreats, ownerPath, servedEndpoints } from './endpoint-threats.ts';
import { linklyModel, type SpecObject } from '../test-support/linkly-fixture.ts';
import type { SystemModel } from '../../model/system-model.ts';

const component = (model: SystemModel, name: string) => model.architecture.components.find((c) => c.name === name)!;
const threatsOf = (name: string, edit?: (s: SpecObject) => void) => {
  const model = linklyModel(edit);
  return endpointThreats(component(model, name), model);
};
const find = (threats: ReturnType<typeof endpointThreats>, text: string) => {
  const t = threats.find((x) => x.threat.includes(text));
  if (!t) throw new Error(`no threat mentioning "${text}"`);
  return t;
};

describe('servedEndpoints and ownerPath', () => {
  const model = linklyModel();

  it('gives an endpoint with no component to the owner of its entity', () => {
    expect(servedEndpoints(component(model, 'analytics'), model).map((e) => e.key)).toEqual(['GET /links/{link}/visits']);
    expect(servedEndpoints(component(model, 'links'), model)).toHaveLength(7);
  });

  it('finds ownership directly, on the account itself, or one reference away', () => {
    const entity = (n: string) => model.entities.find((e) => e.name === n)!;
    expect(ownerPath(entity('Link'), model)).toBe('Link.owner');
    expect(ownerPath(entity('User'), model)).toBe('User.id = the caller');
    expect(ownerPath(entity('Visit'), model)).toBe('Visit.link -> Link.owner');
  });
});

describe('endpointThreats', () => {
  it('names the read-only role and the owner field a request body could set, and the public sign-up', () => {
    expect(find(threatsOf('links'), 'mass assignment')).toMatchObject({
      category: 'Tampering',
      threat: 'mass assignment: a request body to POST /users, POST /links and PATCH /links/{code} sets User.role and Link.owner (POST /users needs no sign-in)',
      mitigated: true,
    });
  });

  it('names path parameters and filters as injection inputs', () => {
    expect(find(threatsOf('links'), 'injection').threat).toBe('injection: crafted values in expiresAt and {code} alter the SQL the component runs');
  });

  it('leaves BOLA unmitigated without the bola protection', () => {
    const threats = threatsOf('links', (s) => { s.security.protections = s.security.protections.filter((p: string) => p !== 'bola'); });
    expect(find(threats, 'BOLA').mitigated).toBe(false);
  });

  it('leaves mass assignment and injection open without their protections', () => {
    const threats = threatsOf('links', (s) => { s.security.protections = ['ssrf']; });
    expect(find(threats, 'mass assignment').mitigated).toBe(false);
    expect(find(threats, 'injection').mitigated).toBe(false);
    expect(find(threats, 'enumeration').mitigated).toBe(false);
  });

  it('flags the replayable sign-up and clears it once POST /users is idempotent', () => {
    expect(find(threatsOf('links'), 'replayed')).toMatchObject({ threat: 'a retried or replayed POST /users writes twice', mitigated: false });
    const fixed = threatsOf('links', (s) => { s.api.endpoints['POST /users'].idempotent = true; });
    expect(find(fixed, 'replayed').mitigated).toBe(true);
  });

  it('asks for Link in the audit rule when it is dropped', () => {
    const threats = threatsOf('links', (s) => { s.requirements.data[2].entities = ['User']; });
    expect(find(threats, 'denies a change')).toMatchObject({ mitigation: 'add Link to the audit rule', mitigated: false });
  });

  it('exposes personal fields when every role may see them', () => {
    const threats = threatsOf('links', (s) => { s.security.piiRoles = ['user', 'admin']; });
    expect(find(threats, 'User.email and User.name leak').mitigated).toBe(false);
  });

  it('has nothing to say about a component serving no endpoint', () => {
    expect(threatsOf('gateway')).toEqual([]);
  });
});
