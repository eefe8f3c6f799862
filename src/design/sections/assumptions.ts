import type { DesignReport } from '../design-report.ts';
import { code, heading, paragraph, table, type Block } from '../render/doc-tree.ts';
import { plural } from './format.ts';

/**
 * "Assumptions": every figure the analyses used that the spec did not state, with the spec field
 * that would replace it.
 */
export function assumptionsSection(report: DesignReport): Block[] {
  const a = report.assumptions;
  if (!a.length) return [heading(2, 'Assumptions'), paragraph('Every figure in this document comes from the spec; nothing was assumed.')];
  return [
    heading(2, 'Assumptions'),
    paragraph(`The analyses used ${plural(a.length, 'figure')} that the spec does not state. Replace them with measured values to make the plan trustworthy.`),
    table(['Assumption', 'Value', 'Spec field'], a.map((x) => [[x.what], [x.value], [/\s/.test(x.field) ? x.field : code(x.field)]])),
  ];
}
