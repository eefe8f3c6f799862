import type { ComplianceControl } from '../../design-report.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { judge, outside, type Evidence } from './evidence.ts';
import {
  auditCoverage, encryptionAtRest, erasure, personalDataInventory, personalEntities, personalFields, processors,
  rectification, storageLimits, subjectExport, transitEncryption,
} from './data-facts.ts';
import { authentication, authorization, piiVisibility } from './access-facts.ts';
import { logRedaction } from './operations-facts.ts';

/**
 * CCPA as amended by the CPRA (Cal. Civ. Code §1798.100 et seq.) duties a backend can evidence:
 * retention disclosure, service-provider contracts, reasonable security, the consumer's rights to
 * delete, correct, know and limit, request handling, and breach exposure, judged from the model.
 */
export function ccpaControls(model: SystemModel): ComplianceControl[] {
  return [
    judge('§1798.100(a)(3)', 'Retention period of each category of personal information', [
      ...storageLimits(model), outside('stating the retention periods in the notice at collection'),
    ]),
    judge('§1798.100(d)', 'Contracts with service providers and third parties', processors(model, 'a contract limiting use of the personal information')),
    judge('§1798.100(e)', 'Reasonable security procedures and practices', [
      ...encryptionAtRest(model, 'personal'), transitEncryption(model), authorization(model)[0]!,
    ]),
    judge('§1798.105', 'Right to delete', erasure(model)),
    judge('§1798.106', 'Right to correct inaccurate personal information', rectification(model)),
    judge('§1798.110', 'Right to know what personal information is collected', [personalDataInventory(model), ...subjectExport(model)]),
    judge('§1798.121', 'Right to limit use of sensitive personal information', sensitiveUse(model)),
    judge('§1798.130', 'Methods for submitting requests and verifying the consumer', [
      ...subjectExport(model), ...authentication(model), outside('two request methods and a 45-day response process'),
    ]),
    judge('§1798.150', 'Breach of nonencrypted and nonredacted personal information', [
      ...encryptionAtRest(model, 'personal'), logRedaction(model), ...auditCoverage(model, personalEntities(model)),
    ]),
  ];
}

/** Sensitive fields must be encrypted and visible only to the roles that need them. */
function sensitiveUse(model: SystemModel): Evidence[] {
  if (personalFields(model).sensitive.length === 0) {
    return [{ has: 'data: no field is marked sensitive (no sensitive personal information stored)' }];
  }
  return [...encryptionAtRest(model, 'sensitive'), ...piiVisibility(model)];
}
