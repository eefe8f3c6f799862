import { describe, it, expect } from 'vitest';
import { complianceMatrices } from './index.ts';
import { linklyModel } from '../../test-support/linkly-fixture.ts';
import { COMPLIANCE_STANDARDS } from '../../../spec/schema/index.ts';

describe('complianceMatrices', () => {
  it('gives linkly one matrix per listed standard, in the spec order', () => {
    expect(complianceMatrices(linklyModel()).map((m) => m.standard)).toEqual(['GDPR', 'SOC2']);
  });

  it('gives none when the spec lists no standard', () => {
    expect(complianceMatrices(linklyModel((s) => { s.requirements.nonFunctional.compliance = []; }))).toEqual([]);
  });

  it('dispatches every standard the spec language accepts to 8-14 distinct controls', () => {
    const model = linklyModel((s) => { s.requirements.nonFunctional.compliance = [...COMPLIANCE_STANDARDS]; });
    const matrices = complianceMatrices(model);
    expect(matrices.map((m) => m.standard)).toEqual([...COMPLIANCE_STANDARDS]);
    for (const m of matrices) {
      expect(m.controls.length, m.standard).toBeGreaterThanOrEqual(8);
      expect(m.controls.length, m.standard).toBeLessThanOrEqual(14);
      expect(new Set(m.controls.map((c) => c.id)).size, m.standard).toBe(m.controls.length);
    }
  });

  it('keeps every status consistent with its evidence, and never marks a whole standard met', () => {
    const model = linklyModel((s) => { s.requirements.nonFunctional.compliance = [...COMPLIANCE_STANDARDS]; });
    for (const m of complianceMatrices(model)) {
      for (const c of m.controls) {
        if (c.status === 'met') expect(c.gap, `${m.standard} ${c.id}`).toBeUndefined();
        else expect(c.gap, `${m.standard} ${c.id}`).toBeTruthy();
        if (c.status === 'gap') expect(c.satisfiedBy, `${m.standard} ${c.id}`).toEqual([]);
        else expect(c.satisfiedBy.length, `${m.standard} ${c.id}`).toBeGreaterThan(0);
      }
      expect(m.controls.some((c) => c.status !== 'met'), m.standard).toBe(true);
    }
  });
});
