import { fileURLToPath } from 'node:url';
import { editedSpecModel } from '../../model/test-support/edited-spec.ts';
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
  return editedSpecModel(LINKLY_PATH, mutate, 'linkly spec');
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
