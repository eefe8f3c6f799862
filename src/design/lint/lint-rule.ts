import type { SourceLocation } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/diagnostic.ts';
import type { Endpoint, SystemModel } from '../../model/system-model.ts';
import type { AvailabilityBudget, CapacityPlan, Finding, LatencyBudget, TraceRow } from '../design-report.ts';

/** The computed analyses some rules judge. */
export interface LintAnalyses {
  capacity: CapacityPlan;
  availability: AvailabilityBudget;
  latency: LatencyBudget[];
}

/** What every rule sees: the model, the analyses, and the requirement trace. */
export interface LintContext extends LintAnalyses {
  model: SystemModel;
  trace: TraceRow[];
}

export type Severity = Finding['severity'];

/** One design lint rule. `severity` is what its findings carry unless the rule says otherwise. */
export interface LintRule {
  /** Stable kebab-case id, e.g. "single-point-of-failure". */
  id: string;
  severity: Severity;
  /** One line for the rule list in the docs. */
  title: string;
  check(ctx: LintContext): Finding[];
}

/** A place in the spec: a model item's `at` and `path`. */
export interface SpecPlace {
  at: SourceLocation;
  path: string;
}

/** Records one finding at `place`; `severity` only when a rule grades its findings (a warning that can become an error). */
export type Report = (place: SpecPlace, message: string, hint: string, severity?: Severity) => void;

/**
 * Defines a rule from its metadata and a check that calls `report` once per offending item.
 *
 * @example
 * export const orphanEvent = defineRule({ id: 'orphan-event', severity: 'warning', title: '...' }, ({ model }, report) => {
 *   for (const e of model.events) if (!e.consumers.length) report(e, `nothing consumes ${e.name}`, 'Add a consumer.');
 * });
 */
export function defineRule(meta: Omit<LintRule, 'check'>, check: (ctx: LintContext, report: Report) => void): LintRule {
  return {
    ...meta,
    check(ctx) {
      const findings: Finding[] = [];
      check(ctx, (place, message, hint, severity) =>
        findings.push({ rule: meta.id, severity: severity ?? meta.severity, message, hint, at: place.at, path: place.path }));
      return findings;
    },
  };
}

/**
 * Where an endpoint is in the spec. An endpoint's `path` field is its URL path, which shadows the
 * spec path every other model item carries, so the spec path is rebuilt from its key.
 */
export function endpointPlace(ep: Endpoint): SpecPlace {
  return { at: ep.at, path: formatPath(['api', 'endpoints', ep.key]) };
}

/** A place under a located section, e.g. `observability.logs.redact` at the `observability` node. */
export function placeUnder(section: SpecPlace, ...keys: string[]): SpecPlace {
  // formatPath writes the first key without a dot, so a placeholder head keeps every key's separator.
  return { at: section.at, path: section.path + formatPath(['_', ...keys]).slice(1) };
}
