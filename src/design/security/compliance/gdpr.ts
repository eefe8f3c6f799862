import type { ComplianceControl } from '../../design-report.ts';
import type { SystemModel } from '../../../model/system-model.ts';
import { judge, listText, outside, type Evidence } from './evidence.ts';
import {
  auditCoverage, encryptionAtRest, erasure, personalDataInventory, personalEntities, processors, rectification,
  restoreCapability, rulesOf, storageLimits, subjectExport, transitEncryption,
} from './data-facts.ts';
import { authorization, piiVisibility } from './access-facts.ts';
import { logRedaction, logRetentionStated, paging } from './operations-facts.ts';

/**
 * GDPR (Regulation (EU) 2016/679) articles a backend can evidence, each judged from the model:
 * storage limitation, the data subject's rights (access, rectification, erasure, portability),
 * protection by design, processors, records, security of processing, breach notification and
 * transfers. Organisational duties (DPAs, the record itself, the 72-hour procedure) keep a control
 * `partial` with a note, never `met`.
 */
export function gdprControls(model: SystemModel): ComplianceControl[] {
  const personal = personalEntities(model);
  return [
    judge('Art. 5(1)(e)', 'Storage limitation', [...storageLimits(model), logRetentionStated(model)]),
    judge('Art. 15', 'Right of access by the data subject', subjectExport(model)),
    judge('Art. 16', 'Right to rectification', rectification(model)),
    judge('Art. 17', 'Right to erasure', erasure(model)),
    judge('Art. 20', 'Right to data portability', subjectExport(model)),
    judge('Art. 25', 'Data protection by design and by default', [personalDataInventory(model), ...piiVisibility(model), logRedaction(model)]),
    judge('Art. 28', 'Processor', processors(model, 'a data processing agreement (Art. 28(3))')),
    judge('Art. 30', 'Records of processing activities', [
      personalDataInventory(model),
      { has: `system.purpose: "${model.system.purpose}"` },
      ...rulesOf(model, 'retention').map((r): Evidence => ({ has: `requirements.data: retention ${r.entity} ${r.keepText}` })),
      outside('the record itself (controller, purposes, legal basis, recipients) is kept by the controller; the design document supplies its technical part'),
    ]),
    judge('Art. 32', 'Security of processing', [
      ...encryptionAtRest(model, 'personal'),
      transitEncryption(model),
      authorization(model)[0]!,
      ...restoreCapability(model),
    ]),
    judge('Art. 33', 'Notification of a personal data breach', [
      ...auditCoverage(model, personal),
      ...paging(model),
      outside('a procedure to notify the supervisory authority within 72 hours'),
    ]),
    judge('Art. 44', 'Transfers to third countries', transfers(model)),
  ];
}

/** EEA regions as cloud providers name them: eu, eu-west-1, europe-west1, westeurope. */
const EEA = /^eu\b|^eu-|europe/i;

/** Where data is kept, whether that is inside the EEA, and which third parties receive it. */
function transfers(model: SystemModel): Evidence[] {
  const out: Evidence[] = [];
  const rules = rulesOf(model, 'residency');
  for (const r of rules) {
    out.push({ has: `requirements.data: residency ${r.region}` });
    if (!EEA.test(r.region)) out.push(outside(`data resides in ${r.region}, outside the EEA: an adequacy decision or standard contractual clauses`));
  }
  const region = model.deployment.region;
  if (region) out.push({ has: `deployment.region: ${region}` });
  if (region && !rules.length && !EEA.test(region)) out.push(outside(`deployment.region ${region} is outside the EEA: an adequacy decision or standard contractual clauses`));
  if (!rules.length) out.push({ needs: 'add { rule: residency, region: eu } so stored data, replicas and backups cannot leave the EEA' });
  const names = model.requirements.integrations.map((i) => i.name);
  if (names.length) out.push(outside(`confirm where ${listText(names)} process the data they receive`));
  return out;
}
