import type { SystemModel } from '../../model/system-model.ts';
import type { Finding } from '../design-report.ts';
import { traceability } from '../analyses/traceability.ts';
import type { LintAnalyses, LintRule } from './lint-rule.ts';
import { RESILIENCE_RULES } from './resilience-rules.ts';
import { ACCESS_RULES } from './access-rules.ts';
import { PRIVACY_RULES } from './privacy-rules.ts';
import { INTEGRATION_RULES } from './integration-rules.ts';
import { PERFORMANCE_RULES } from './performance-rules.ts';
import { STRUCTURE_RULES } from './structure-rules.ts';

/** Every design lint rule, by topic. Adding a rule means adding it to its topic's list. */
const RULES: readonly LintRule[] = [
  ...RESILIENCE_RULES, ...PERFORMANCE_RULES, ...ACCESS_RULES, ...PRIVACY_RULES, ...INTEGRATION_RULES, ...STRUCTURE_RULES,
];

/** The rule catalogue for the docs: id, the severity its findings carry, and a one-line title. */
export const LINT_RULES: readonly { id: string; severity: 'error' | 'warning' | 'info'; title: string }[] =
  RULES.map(({ id, severity, title }) => ({ id, severity, title }));

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Runs every design lint rule over a model and its analyses. Findings point at the spec item at
 * fault (`at`, `path`) and come sorted by severity (errors first), then by position in the file.
 *
 * @example
 * const findings = lintDesign(model, { capacity: capacityPlan(model), availability: availabilityBudget(model), latency: latencyBudgets(model) });
 * findings.filter((f) => f.severity === 'error').length // 0 for a sound design
 */
export function lintDesign(model: SystemModel, analyses: LintAnalyses): Finding[] {
  const ctx = { model, ...analyses, trace: traceability(model) };
  return RULES.flatMap((rule) => rule.check(ctx)).sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.at.line - b.at.line || a.at.column - b.at.column || a.rule.localeCompare(b.rule),
  );
}
