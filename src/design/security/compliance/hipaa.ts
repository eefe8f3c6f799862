import type { ComplianceControl } from '../../design-report.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { judge, outside } from './evidence.ts';
import {
  auditCoverage, backups, encryptionAtRest, immutability, keySource, personalEntities, processors, restoreCapability, transitEncryption,
} from './data-facts.ts';
import { authentication, authorization, leastPrivilege, loginThrottling, mfa, piiVisibility, sessionTimeout } from './access-facts.ts';
import {
  integrationTransport, logging, loginAlerts, logRetention, massAssignment, paging, redundancy, tracing,
} from './operations-facts.ts';

const DAY = 86_400_000;

/**
 * HIPAA Security Rule (45 CFR Part 164, Subpart C) safeguards a backend can evidence, judged from
 * the model. Fields marked pii or sensitive are taken to be ePHI. Reviews, incident procedures and
 * business associate agreements are organisational and keep their controls `partial`.
 */
export function hipaaControls(model: SystemModel): ComplianceControl[] {
  const phi = personalEntities(model);
  return [
    judge('164.308(a)(1)(ii)(D)', 'Information system activity review', [
      ...auditCoverage(model, phi, 'hold ePHI'), logging(model), outside('a regular review of audit logs and access reports'),
    ]),
    judge('164.308(a)(5)(ii)(C)', 'Log-in monitoring', [...loginThrottling(model), loginAlerts(model)]),
    judge('164.308(a)(6)(ii)', 'Security incident response and reporting', [...paging(model), outside('an incident response and reporting procedure')]),
    judge('164.308(a)(7)(ii)(A)', 'Data backup plan', restoreCapability(model)),
    judge('164.308(a)(7)(ii)(B)', 'Disaster recovery plan', [...backups(model), ...redundancy(model)]),
    judge('164.312(a)(1)', 'Access control', [...authorization(model), ...leastPrivilege(model), ...piiVisibility(model)]),
    judge('164.312(a)(2)(iii)', 'Automatic logoff', sessionTimeout(model, 15 * 60_000)),
    judge('164.312(a)(2)(iv)', 'Encryption and decryption', [...encryptionAtRest(model, 'personal'), keySource(model)]),
    judge('164.312(b)', 'Audit controls', [...auditCoverage(model, phi, 'hold ePHI'), logging(model), tracing(model)]),
    judge('164.312(c)(1)', 'Integrity', [...auditCoverage(model, phi, 'hold ePHI'), ...immutability(model), massAssignment(model), ...restoreCapability(model)]),
    judge('164.312(d)', 'Person or entity authentication', [...authentication(model), ...mfa(model)]),
    judge('164.312(e)(1)', 'Transmission security', [transitEncryption(model), ...integrationTransport(model)]),
    judge('164.314(a)', 'Business associate contracts', processors(model, 'a business associate agreement (BAA)')),
    judge('164.316(b)(2)(i)', 'Retention of documentation (6 years)', [
      ...logRetention(model, 6 * 365 * DAY), outside('keeping policies, procedures and assessments for six years'),
    ]),
  ];
}
