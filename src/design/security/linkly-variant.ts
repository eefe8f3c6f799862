import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { parseYamlSpec } from '../../spec/parse-yaml.ts';
import { analyze } from '../../model/analyze.ts';
import type { SystemModel } from '../../model/system-model.ts';

const LINKLY = fileURLToPath(new URL('../../../test/fixtures/linkly-v0/archspec.yaml', import.meta.url));

/** The linkly spec as plain data, for a test to edit before it is analyzed. */
export type SpecTree = { [key: string]: any };

/**
 * Test support: the model of test/fixtures/linkly-v0/archspec.yaml (a frozen Linkly) after `edit` changes its parsed YAML.
 * The edited tree is serialised and read back through the real pipeline (parseYamlSpec, analyze),
 * under the example's path so handler files still resolve. Throws, listing every diagnostic, when
 * the edit makes the spec invalid, so a test cannot silently run against no model.
 *
 * @example
 * const model = linklyModel((spec) => { spec.requirements.nonFunctional.compliance = ['HIPAA']; });
 */
export function linklyModel(edit?: (spec: SpecTree) => void): SystemModel {
  const spec = parse(readFileSync(LINKLY, 'utf8')) as SpecTree;
  edit?.(spec);
  const read = parseYamlSpec(stringify(spec), LINKLY);
  if (!read.document) throw new Error(`edited linkly spec does not read: ${read.problems.map((p) => p.message).join('; ')}`);
  const { model, diagnostics } = analyze(read.document);
  if (!model) throw new Error(`edited linkly spec is invalid:\n${diagnostics.map((d) => `${d.code} at ${d.path}: ${d.message}`).join('\n')}`);
  return model;
}
