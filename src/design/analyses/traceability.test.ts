import { describe, it, expect } from 'vitest';
import { traceability } from './traceability.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';

describe('traceability', () => {
  it('traces every Linkly requirement to the endpoints and flows that satisfy it', () => {
    const rows = traceability(linklyModel());
    expect(rows.map((r) => r.id)).toEqual(['FR1', 'FR2', 'FR3', 'FR4', 'FR5']);
    expect(rows[0]).toEqual({
      id: 'FR1', text: 'shorten a long URL into a short code', endpoints: ['POST /links'], flows: ['shorten'], jobs: [], satisfied: true,
    });
    expect(rows[2]!.endpoints).toHaveLength(4);
    expect(rows.every((r) => r.satisfied)).toBe(true);
  });

  it('adds the flows started by a requirement endpoint even when the requirement does not name them', () => {
    const rows = traceability(linklyModel((spec) => { delete spec.requirements.functional.FR1.flows; }));
    // FR1 names POST /links only; the shorten flow has endpoint: POST /links, so it is traced anyway.
    expect(rows[0]!.flows).toEqual(['shorten']);
  });

  it('lists a flow once when it is both named and started by a named endpoint', () => {
    const rows = traceability(linklyModel());
    expect(rows[1]!.flows).toEqual(['visit']);
  });

  it('traces jobs and marks a requirement with nothing behind it unsatisfied', () => {
    const rows = traceability(linklyModel((spec) => {
      spec.requirements.functional.FR6 = { text: 'forget old visits', jobs: ['purge-visits'] };
      spec.requirements.functional.FR7 = { text: 'export links as CSV' };
    }));
    expect(rows.find((r) => r.id === 'FR6')).toMatchObject({ jobs: ['purge-visits'], satisfied: true });
    expect(rows.find((r) => r.id === 'FR7')).toMatchObject({ endpoints: [], flows: [], jobs: [], satisfied: false });
  });
});
