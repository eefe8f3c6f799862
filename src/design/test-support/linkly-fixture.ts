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
import { lintDesign } from '../lint/index.ts';

/**
 * Test support for the design tests: models built from test/fixtures/linkly-v0/archspec.yaml, a
 * frozen copy of the Linkly example, so the example itself can evolve without moving the figures
 * the analysis, lint, security and diagram tests assert.
 *
 * @example
 * const model = linklyModel((spec) => { spec.requirements.nonFunctional.compliance = ['HIPAA']; });
 * findingsOf('no-rate-limit-on-login', (spec) => { delete spec.api.auth.loginLimit; }) // one finding at api.auth
 */

/** Path of the frozen Linkly spec the design tests vary. */
export const LINKLY_PATH = fileURLToPath(new URL('../../../test/fixtures/linkly-v0/archspec.yaml', import.meta.url));

/**
 * The Linkly spec as loosely typed plain data, so a test can reach into any section and change it.
 * The model built from it is still validated by `analyze`, so an edit that makes the spec invalid
 * fails loudly.
 */
export type SpecObject = any;

/**
 * The Linkly model. Without `mutate` it is built from the file's own text, so locations (`at`)
 * are the fixture's lines. With `mutate`, a fresh copy of the parsed YAML is changed, serialised
 * with the `yaml` package and read back through the real pipeline (parseYamlSpec, analyze) under
 * the fixture's path, so relative handler paths still resolve.
 *
 * @throws Error listing every diagnostic when the (edited) spec does not produce a model, so a test
 *   cannot silently run against no model
 */
export function linklyModel(mutate?: (spec: SpecObject) => void): SystemModel {
  const text = readFileSync(LINKLY_PATH, 'utf8');
  if (!mutate) return modelFromYaml(text, 'linkly spec');
  const spec: SpecObject = parse(text);
  mutate(spec);
  return modelFromYaml(stringify(spec), 'edited linkly spec');
}

/** Lints a model with its own analyses, as `archspec design` does. */
export function lintModel(model: SystemModel): Finding[] {
  return lintDesign(model, { capacity: capacityPlan(model), availability: availabilityBudget(model), latency: latencyBudgets(model) });
}

/**
 * The findings of one lint rule on the Linkly model, optionally mutated first (see {@link linklyModel}).
 *
 * @example
 * findingsOf('no-rate-limit-on-login', (spec) => { delete spec.api.auth.loginLimit; }) // one finding at api.auth
 */
export function findingsOf(rule: string, mutate?: (spec: SpecObject) => void): Finding[] {
  return lintModel(linklyModel(mutate)).filter((f) => f.rule === rule);
}

/** Builds a model from YAML text read as if it were the fixture file; `what` names it in errors. */
function modelFromYaml(text: string, what: string): SystemModel {
  const { document, problems } = parseYamlSpec(text, LINKLY_PATH);
  if (!document) throw new Error(`${what} does not parse: ${problems.map((p) => p.message).join('; ')}`);
  const { model, diagnostics } = analyze(document);
  if (!model) throw new Error(`${what} is invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return model;
}
