import type { DesignReport, Finding } from '../design-report.ts';
import { code, heading, paragraph, strong, table, type Block } from '../render/doc-tree.ts';
import { plural } from './format.ts';

/**
 * "Design review findings": every design lint finding, errors first, with its rule, message,
 * place in the spec (`file:line:column` and spec path) and how to fix it.
 */
export function designReviewFindings(report: DesignReport): Block[] {
  const f = report.findings;
  if (!f.length) return [heading(2, 'Design review findings'), paragraph('The design review found nothing to fix.')];
  const n = (s: Finding['severity']) => f.filter((x) => x.severity === s).length;
  return [
    heading(2, 'Design review findings'),
    paragraph(`The design review found ${plural(f.length, 'problem')}: ${plural(n('error'), 'error')}, ${plural(n('warning'), 'warning')}, ${n('info')} informational.`),
    table(['Severity', 'Rule', 'Finding', 'Where', 'How to fix'], f.map((x) => [
      [strong(x.severity)], [code(x.rule)], [x.message], [code(`${x.at.file}:${x.at.line}:${x.at.column}`), ' ', code(x.path)], [x.hint],
    ])),
  ];
}
