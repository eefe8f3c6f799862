import type { ComplianceControl } from '../../design-report.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { formatPercent } from '../../../spec/units.ts';
import { judge, outside, type Evidence } from './evidence.ts';
import {
  auditCoverage, backups, encryptionAtRest, erasure, keySource, personalDataInventory, personalEntities, transitEncryption,
} from './data-facts.ts';
import { authentication, authorization, leastPrivilege, loginThrottling, mfa, piiVisibility } from './access-facts.ts';
import {
  boundary, changeManagement, infrastructureAsCode, integrationTransport, logging, logRedaction, logRetentionStated, monitoring,
  redundancy, tracing, webProtections,
} from './operations-facts.ts';

/**
 * ISO/IEC 27001:2022 Annex A controls a backend can evidence (organizational 5.x and technological
 * 8.x), judged from the model. People and physical controls (6.x, 7.x) have no spec fields.
 */
export function iso27001Controls(model: SystemModel): ComplianceControl[] {
  return [
    judge('A.5.15', 'Access control', [...authorization(model), ...leastPrivilege(model)]),
    judge('A.5.23', 'Information security for use of cloud services', [
      ...cloudPlacement(model), infrastructureAsCode(model), outside('the cloud provider agreement and shared-responsibility review'),
    ]),
    judge('A.5.30', 'ICT readiness for business continuity', [
      { has: `requirements.nonFunctional.availability: ${formatPercent(model.requirements.nonFunctional.availability)}` },
      ...redundancy(model), ...backups(model),
    ]),
    judge('A.5.34', 'Privacy and protection of PII', [
      personalDataInventory(model), ...encryptionAtRest(model, 'personal'), ...erasure(model), ...piiVisibility(model),
    ]),
    judge('A.8.5', 'Secure authentication', [...authentication(model), ...mfa(model), ...loginThrottling(model)]),
    judge('A.8.12', 'Data leakage prevention', [logRedaction(model), ...piiVisibility(model), enumerationGuard(model)]),
    judge('A.8.13', 'Information backup', backups(model)),
    judge('A.8.15', 'Logging', [logging(model), logRetentionStated(model), ...auditCoverage(model, personalEntities(model))]),
    judge('A.8.16', 'Monitoring activities', [...monitoring(model), tracing(model)]),
    judge('A.8.20', 'Networks security', [...boundary(model), transitEncryption(model), ...integrationTransport(model)]),
    judge('A.8.24', 'Use of cryptography', [keySource(model), transitEncryption(model), ...encryptionAtRest(model, 'personal')]),
    judge('A.8.25, A.8.28', 'Secure development life cycle and secure coding', [
      ...webProtections(model), { has: `deployment.cicd: ${model.deployment.cicd}` },
    ]),
    judge('A.8.32', 'Change management', changeManagement(model)),
  ];
}

function cloudPlacement(model: SystemModel): Evidence[] {
  return model.deployment.region
    ? [{ has: `deployment.region: ${model.deployment.region}` }]
    : [{ needs: 'set deployment.region so the cloud location is stated' }];
}

function enumerationGuard(model: SystemModel): Evidence {
  return model.security.protections.includes('enumeration')
    ? { has: 'security.protections: enumeration' }
    : { needs: 'add enumeration to security.protections so ids and accounts cannot be harvested' };
}
