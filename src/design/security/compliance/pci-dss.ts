import type { ComplianceControl } from '../../design-report.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { judge, outside, type Evidence } from './evidence.ts';
import { auditCoverage, encryptionAtRest, keySource, personalEntities, transitEncryption } from './data-facts.ts';
import { authentication, authorization, leastPrivilege, lockout, mfa } from './access-facts.ts';
import { boundary, integrationTransport, logging, logRetention, paging, tracing, webProtections } from './operations-facts.ts';

const DAY = 86_400_000;

/**
 * PCI DSS v4.0 requirements a backend can evidence, judged from the model. Fields marked sensitive
 * are taken to be cardholder data (PAN). Network segmentation, WAFs, scans and penetration tests
 * happen outside archspec: their controls say so and are never `met` from the spec alone.
 */
export function pciDssControls(model: SystemModel): ComplianceControl[] {
  return [
    judge('Req. 1.3', 'Network access to and from the cardholder data environment is restricted', [
      boundary(model)[0]!, ...ssrfGuard(model), outside('firewall rules and segmentation of the cardholder data environment'),
    ]),
    judge('Req. 3.5.1', 'PAN is rendered unreadable anywhere it is stored', encryptionAtRest(model, 'sensitive')),
    judge('Req. 3.6.1', 'Cryptographic keys protecting stored account data are managed', [
      keySource(model), outside('key custody, split knowledge and rotation (3.6, 3.7)'),
    ]),
    judge('Req. 4.2.1', 'Strong cryptography protects PAN during transmission', [transitEncryption(model), ...integrationTransport(model)]),
    judge('Req. 6.2.4', 'Software engineering techniques prevent common software attacks', webProtections(model)),
    judge('Req. 6.4.2', 'Public-facing web applications are protected against attacks', [
      ...boundary(model), outside('an automated technical solution (WAF) in front of the public endpoints'),
    ]),
    judge('Req. 7.2.1', 'Access is assigned by least privilege', [...authorization(model), ...leastPrivilege(model)]),
    judge('Req. 8.3.1', 'Users are authenticated with strong factors', authentication(model)),
    judge('Req. 8.3.4', 'Invalid authentication attempts are limited (lockout after 10, for 30 minutes)', lockout(model, 10, 30 * 60_000)),
    judge('Req. 8.4.2', 'MFA for all access into the cardholder data environment', mfa(model)),
    judge('Req. 10.2.1', 'Audit logs capture user activity', [
      ...auditCoverage(model, personalEntities(model), 'hold cardholder or personal data'), logging(model), tracing(model),
    ]),
    judge('Req. 10.5.1', 'Audit log history is retained for at least 12 months', logRetention(model, 365 * DAY)),
    judge('Req. 11.3-11.4', 'Vulnerability scans and penetration tests', [
      outside('quarterly internal and ASV vulnerability scans and an annual penetration test'),
    ]),
    judge('Req. 12.10.1', 'An incident response plan exists and is ready', [...paging(model), outside('an incident response plan, tested yearly')]),
  ];
}

/** Outbound calls cannot be steered into the internal network. */
function ssrfGuard(model: SystemModel): Evidence[] {
  const open = model.requirements.integrations.filter((i) => i.allowPrivateNetwork).map((i) => i.name);
  const out: Evidence[] = model.security.protections.includes('ssrf') ? [{ has: 'security.protections: ssrf (private addresses refused)' }] : [];
  if (open.length) out.push({ needs: `remove allowPrivateNetwork from ${open.join(', ')} or document the internal route` });
  return out;
}
