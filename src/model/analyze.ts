import type { SpecDocument } from '../spec/spec-document.ts';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { validateStructure } from './structure.ts';
import { createRuleContext } from './rules/rule-context.ts';
import { checkRequirements } from './rules/requirements-rules.ts';
import { checkArchitecture } from './rules/architecture-rules.ts';
import { checkData } from './rules/data-rules.ts';
import { checkApi } from './rules/api-rules.ts';
import { checkOperations } from './rules/operations-rules.ts';
import { buildModel } from './build-model.ts';
import type { SystemModel } from './system-model.ts';

/** The result of phase 2: a model when the spec is valid, and every diagnostic found. */
export interface AnalyzeResult {
  model?: SystemModel;
  diagnostics: Diagnostic[];
}

const MEANING_RULES = [checkRequirements, checkArchitecture, checkData, checkApi, checkOperations];

/**
 * Validates a spec document (structure, then meaning) and builds the frozen SystemModel.
 * Diagnostics are collected, never thrown: a user sees every problem in one run.
 *
 * @example
 * const { model, diagnostics } = analyze(document);
 * if (!model) diagnostics.forEach((d) => console.error(formatDiagnostic(d)));
 */
export function analyze(doc: SpecDocument): AnalyzeResult {
  const { spec, partial, diagnostics } = validateStructure(doc);
  const ctx = createRuleContext(partial, doc, diagnostics);
  for (const rule of MEANING_RULES) rule(ctx);
  const sorted = sortDiagnostics(dedupe(diagnostics));
  const failed = sorted.some((d) => d.severity === 'error');
  return { model: spec && !failed ? buildModel(spec, doc) : undefined, diagnostics: sorted };
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.code}|${d.path}|${d.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
