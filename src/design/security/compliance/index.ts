import type { ComplianceControl, ComplianceMatrix } from '../../design-report.ts';
import type { ComplianceStandard, SystemModel } from '../../../model/system-model.ts';
import { gdprControls } from './gdpr.ts';
import { hipaaControls } from './hipaa.ts';
import { soc2Controls } from './soc2.ts';
import { pciDssControls } from './pci-dss.ts';
import { iso27001Controls } from './iso27001.ts';
import { ccpaControls } from './ccpa.ts';

/** Every standard the spec language accepts, with its controls. Adding a standard fails to compile until it is here. */
const CONTROLS: Record<ComplianceStandard, (model: SystemModel) => ComplianceControl[]> = {
  GDPR: gdprControls,
  HIPAA: hipaaControls,
  SOC2: soc2Controls,
  'PCI-DSS': pciDssControls,
  ISO27001: iso27001Controls,
  CCPA: ccpaControls,
};

/**
 * One control matrix per standard in `requirements.nonFunctional.compliance`, in the spec's order.
 * Each control is `met`, `partial` or `gap` from concrete model facts, with the spec fields that
 * satisfy it and what to add (or do outside archspec) to close it.
 *
 * @example
 * for (const m of complianceMatrices(model)) console.log(m.standard, m.controls.filter((c) => c.status === 'gap').length);
 */
export function complianceMatrices(model: SystemModel): ComplianceMatrix[] {
  return model.requirements.nonFunctional.compliance.map((standard) => ({ standard, controls: CONTROLS[standard](model) }));
}
