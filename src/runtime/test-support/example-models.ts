import { fileURLToPath } from 'node:url';
import { loadSpec } from '../../spec/load-spec.ts';
import { analyze } from '../../model/analyze.ts';
import { formatDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { SystemModel } from '../../model/system-model.ts';

/**
 * Test support for the runtime tests: the models of the shipped examples, built through the real
 * pipeline (loadSpec, analyze) and cached per example.
 *
 * @example
 * const model = await exampleModel('linkly');
 */

/** The examples under examples/<name>/archspec.yaml. */
export const EXAMPLES = ['linkly', 'payments', 'telehealth'] as const;
/** The name of one shipped example. */
export type ExampleName = (typeof EXAMPLES)[number];

const cache = new Map<ExampleName, Promise<SystemModel>>();

/** The model of one example; throws with every diagnostic when the example no longer produces one. */
export function exampleModel(name: ExampleName): Promise<SystemModel> {
  let model = cache.get(name);
  if (!model) {
    model = build(name);
    cache.set(name, model);
  }
  return model;
}

async function build(name: ExampleName): Promise<SystemModel> {
  const file = fileURLToPath(new URL(`../../../examples/${name}/archspec.yaml`, import.meta.url));
  const { document, problems } = await loadSpec(file);
  if (!document) throw new Error(`examples/${name} did not parse:\n${problems.map((p) => `${p.code}: ${p.message}`).join('\n')}`);
  const { model, diagnostics } = analyze(document);
  if (!model) throw new Error(`examples/${name} did not produce a model:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return model;
}
