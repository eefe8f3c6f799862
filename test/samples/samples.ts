import { readdirSync } from 'node:fs';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { analyze } from '../../src/model/analyze.ts';
import { renderDesign } from '../../src/design/index.ts';

/**
 * Golden samples of the design document: one folder per example, `test/samples/<example>/design.md`,
 * holding `renderDesign(model, 'md')` of `examples/<example>/archspec.yaml`. Paths are relative to
 * the repository root (run from there), so the output names the spec the same way everywhere.
 */
export const SAMPLE_EXAMPLES: readonly string[] = readdirSync('examples', { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** Where the golden Markdown of an example lives. */
export const samplePath = (example: string) => `test/samples/${example}/design.md`;

/**
 * Renders an example's design document as Markdown, as the golden sample records it.
 *
 * @throws when the example's spec is invalid, listing its diagnostics
 */
export async function renderSample(example: string): Promise<string> {
  const file = `examples/${example}/archspec.yaml`;
  const { document, problems } = await loadSpec(file);
  if (!document) throw new Error(`${file}: ${problems.map((p) => p.message).join('; ')}`);
  const { model, diagnostics } = analyze(document);
  if (!model) throw new Error(`${file} is invalid:\n${diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n')}`);
  return renderDesign(model, 'md');
}
