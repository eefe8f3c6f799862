import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { parseYamlSpec } from '../../spec/parse-yaml.ts';
import { analyze } from '../../model/analyze.ts';
import { formatDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { SystemModel } from '../../model/system-model.ts';
import type { Finding } from '../design-report.ts';
import { capacityPlan } from '../analyses/capacity-plan.ts';
import { availabilityBudget } from '../analyses/availability-budget.ts';
import { latencyBudgets } from '../analyses/latency-budget.ts';
import { lintDesign } from './index.ts';

/** Path of the Linkly example, which the design tests vary. */
export const LINKLY_PATH = fileURLToPath(new URL('../../../test/fixtures/linkly-v0/archspec.yaml', import.meta.url));

/**
 * A loosely typed spec object, so a test can reach into any section and change it. The model built
 * from it is still validated by `analyze`, so a mutation that makes the spec invalid fails loudly.
 */
export type SpecObject = any;

/**
 * Builds a model from YAML text, as `archspec` does. The text is read as if it were the Linkly
 * spec file, so relative handler paths resolve against test/fixtures/linkly-v0/.
 *
 * @throws Error listing the diagnostics when the spec does not produce a model
 */
export function modelFromYaml(text: string): SystemModel {
  const { document, problems } = parseYamlSpec(text, LINKLY_PATH);
  if (!document) throw new Error(`spec does not parse: ${problems.map((p) => p.message).join('; ')}`);
  const { model, diagnostics } = analyze(document);
  if (!model) throw new Error(`spec is invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return model;
}

/**
 * The Linkly model, optionally after `mutate` has changed a fresh copy of the parsed spec object
 * (serialised back to YAML with the `yaml` package before validation).
 *
 * @example
 * const model = linklyModel((spec) => { delete spec.api.auth.loginLimit; });
 */
export function linklyModel(mutate?: (spec: SpecObject) => void): SystemModel {
  const text = readFileSync(LINKLY_PATH, 'utf8');
  if (!mutate) return modelFromYaml(text);
  const spec: SpecObject = parse(text);
  mutate(spec);
  return modelFromYaml(stringify(spec));
}

/** Lints a model with its own analyses, as `archspec design` does. */
export function lintModel(model: SystemModel): Finding[] {
  return lintDesign(model, { capacity: capacityPlan(model), availability: availabilityBudget(model), latency: latencyBudgets(model) });
}

/**
 * The findings of one rule on the Linkly model, optionally mutated first (see {@link linklyModel}).
 *
 * @example
 * findingsOf('no-rate-limit-on-login', (spec) => { delete spec.api.auth.loginLimit; }) // one finding at api.auth
 */
export function findingsOf(rule: string, mutate?: (spec: SpecObject) => void): Finding[] {
  return lintModel(linklyModel(mutate)).filter((f) => f.rule === rule);
}
