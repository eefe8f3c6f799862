import type { DesignReport, ThreatTable } from '../design-report.ts';
import { heading, note, paragraph, strong, table, type Block } from '../render/doc-tree.ts';
import { plural, words } from './format.ts';

/**
 * The compliance matrices under "Security Considerations": per standard, how many controls the
 * spec meets, partly meets or leaves open, and each control with what satisfies it and what
 * closes the gap.
 */
export function complianceSection(report: DesignReport): Block[] {
  if (!report.compliance.length) return [heading(3, 'Compliance'), paragraph('No compliance standard is required, so no control matrix applies.')];
  const blocks: Block[] = [heading(3, 'Compliance')];
  for (const m of report.compliance) {
    const n = (status: string) => m.controls.filter((c) => c.status === status).length;
    blocks.push(
      heading(4, `Compliance: ${m.standard}`),
      paragraph(strong(m.standard), `: ${plural(m.controls.length, 'control')}; ${n('met')} met, ${n('partial')} partial, ${n('gap')} gap.`),
      table(['Control', 'Title', 'Status', 'Satisfied by', 'To close the gap'], m.controls.map((c) => [
        [strong(c.id)], [c.title], [c.status], [c.satisfiedBy.join('; ') || 'nothing in the spec'], [c.gap ?? ''],
      ])),
    );
  }
  return blocks;
}

/**
 * The STRIDE threat model under "Security Considerations": a table per component, the primary
 * database and each integration, with the threat, its mitigation and whether the spec declares it.
 */
export function threatModelSection(report: DesignReport): Block[] {
  const open = report.threats.flatMap((t) => t.threats.filter((x) => !x.mitigated).map(() => t.component));
  const blocks: Block[] = [
    heading(3, 'Threat model (STRIDE)'),
    paragraph(`Threats by component, grouped by STRIDE category (spoofing, tampering, repudiation, information disclosure, denial of service, elevation of privilege). ` +
      `${plural(report.threats.reduce((sum, t) => sum + t.threats.length, 0), 'threat')} in total; ${plural(open.length, 'threat')} without a declared mitigation.`),
  ];
  if (open.length) blocks.push(note('warning', `Threats without a declared mitigation in: ${words([...new Set(open)])}.`));
  for (const t of report.threats) blocks.push(...threatTable(t));
  return blocks;
}

function threatTable(t: ThreatTable): Block[] {
  if (!t.threats.length) return [];
  return [
    heading(4, `Threats: ${t.component} (${t.kind})`),
    table(['Category', 'Threat', 'Mitigation', 'Mitigated'], t.threats.map((x) => [[x.category], [x.threat], [x.mitigation], [x.mitigated ? 'yes' : 'no']])),
  ];
}
