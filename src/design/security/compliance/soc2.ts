import type { ComplianceControl } from '../../design-report.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { judge, outside } from './evidence.ts';
import { auditCoverage, backups, encryptionAtRest, personalEntities, storageLimits, transitEncryption } from './data-facts.ts';
import { authentication, authorization, leastPrivilege, loginThrottling, piiVisibility, roleAssignment } from './access-facts.ts';
import {
  boundary, changeManagement, infrastructureAsCode, inputIntegrity, integrationTransport, logging, logRedaction, monitoring,
  paging, redundancy, tracing,
} from './operations-facts.ts';

/**
 * SOC 2 Trust Services Criteria (AICPA TSC 2017, 2022 points of focus) a backend can evidence:
 * logical access (CC6), system operations (CC7), change management (CC8), availability (A1),
 * processing integrity (PI1) and confidentiality (C1), each judged from the model.
 */
export function soc2Controls(model: SystemModel): ComplianceControl[] {
  return [
    judge('CC6.1', 'Logical access security over protected information assets', [
      ...authentication(model), authorization(model)[0]!, ...encryptionAtRest(model, 'personal'),
    ]),
    judge('CC6.2', 'Registration and authorization of new users', roleAssignment(model)),
    judge('CC6.3', 'Role-based access and least privilege', [...authorization(model), ...leastPrivilege(model), ...piiVisibility(model)]),
    judge('CC6.6', 'Protection against threats from outside the system boundary', [...boundary(model), ...loginThrottling(model)]),
    judge('CC6.7', 'Restricted transmission and movement of information', [transitEncryption(model), ...integrationTransport(model), logRedaction(model)]),
    judge('CC7.1', 'Detection of configuration changes and vulnerabilities', [
      infrastructureAsCode(model), { has: `deployment.cicd: ${model.deployment.cicd}` }, outside('scanning dependencies and images for known vulnerabilities'),
    ]),
    judge('CC7.2', 'Monitoring of system components for anomalies', [...monitoring(model), tracing(model), logging(model)]),
    judge('CC7.3', 'Evaluation of security events', [...auditCoverage(model, personalEntities(model)), logging(model)]),
    judge('CC7.4', 'Response to security incidents', [
      ...paging(model),
      { has: `deployment.rollback: ${model.deployment.rollback.strategy} on ${model.deployment.rollback.on.join(', ')}` },
      outside('an incident response plan with roles, escalation and communication'),
    ]),
    judge('CC8.1', 'Change management', [...changeManagement(model), infrastructureAsCode(model)]),
    judge('A1.2', 'Environmental protections, backup and recovery infrastructure', [...redundancy(model), ...backups(model)]),
    judge('PI1.2', 'Completeness and accuracy of system inputs', inputIntegrity(model)),
    judge('C1.1', 'Identification and protection of confidential information', [
      ...encryptionAtRest(model, 'personal'), ...piiVisibility(model), logRedaction(model),
    ]),
    judge('C1.2', 'Disposal of confidential information', storageLimits(model)),
  ];
}
