import { describe, it, expect } from 'vitest';
import {
  encryptionAtRest, erasure, personalEntities, personalFields, processors, restoreCapability, rulesOf, storageLimits,
} from './data-facts.ts';
import { linklyModel } from '../../test-support/linkly-fixture.ts';

describe('data facts on linkly', () => {
  const model = linklyModel();

  it('finds the pii fields and the entities holding them', () => {
    expect(personalFields(model)).toEqual({ pii: ['User.email', 'User.name'], sensitive: [], personal: ['User.email', 'User.name'] });
    expect(personalEntities(model)).toEqual(['User']);
  });

  it('picks data rules by kind', () => {
    expect(rulesOf(model, 'retention').map((r) => [r.entity, r.keepText])).toEqual([['Visit', '400d']]);
    expect(rulesOf(model, 'residency')).toEqual([]);
  });

  it('separates encrypted from clear personal fields', () => {
    expect(encryptionAtRest(model, 'personal')).toEqual([
      { has: 'requirements.data: encrypted-at-rest User.email (aes-256-gcm)' },
      { needs: 'User.name is personal data but not encrypted at rest: add it to the encrypted-at-rest rule' },
    ]);
  });

  it('names every processor and the hosting provider for the agreement', () => {
    expect(processors(model, 'a DPA')[1]).toEqual({ needs: 'a DPA with safebrowsing, geoip and the hosting provider (outside archspec)' });
  });
});

describe('data facts on edited specs', () => {
  it('asks for pii marking when nothing is marked', () => {
    const model = linklyModel((s) => {
      s.data.User.fields.email.pii = false;
      s.data.User.fields.name.pii = false;
    });
    expect(encryptionAtRest(model, 'personal')[0]?.needs).toContain('no field is marked pii or sensitive');
    expect(storageLimits(model).some((e) => e.needs?.includes('no field is marked pii'))).toBe(true);
  });

  it('asks for retention of a personal entity with neither retention nor erasable rule', () => {
    const noRetention = linklyModel((s) => {
      s.data.Link.fields.title.pii = true;
      s.requirements.data = s.requirements.data.filter((r: { rule: string }) => r.rule !== 'retention');
    });
    expect(storageLimits(noRetention)).toContainEqual({ needs: 'Link holds personal data with no retention or erasable rule: add { rule: retention, entity: Link, keep: ... }' });
  });

  it('reports personal data that erasing the subject would leave behind', () => {
    const model = linklyModel((s) => {
      s.data.Visit.fields.country.pii = true;
      s.data.Visit.fields.link.onDelete = 'set-null';
      s.data.Visit.fields.link.required = false;
    });
    expect(erasure(model)).toContainEqual({
      needs: 'Visit is personal data not reached by erasing User: reference the subject with onDelete: cascade or add an erasable rule',
    });
  });

  it('cannot restore without a backup rule or point-in-time restore', () => {
    const model = linklyModel((s) => { s.resilience.recovery = ['retry', 'failover']; });
    expect(restoreCapability(model)).toEqual([{ needs: 'add { rule: backup, rpo: ..., rto: ... } or point-in-time-restore to resilience.recovery' }]);
  });

  it('says no third-party API receives data when there are no integrations', () => {
    const model = linklyModel((s) => {
      delete s.requirements.integrations;
      s.flows.shorten.steps = s.flows.shorten.steps.filter((step: { to?: string }) => step.to !== 'safebrowsing');
    });
    expect(processors(model, 'a DPA')).toEqual([
      { has: 'requirements.integrations: none, no third-party API receives data' },
      { needs: 'a DPA with the hosting provider (outside archspec)' },
    ]);
  });
});
