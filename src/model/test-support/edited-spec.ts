import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseYamlSpec } from '../../spec/parse-yaml.ts';
import { analyze } from '../analyze.ts';
import { formatDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { SystemModel } from '../system-model.ts';

/**
 * Test support: the model of the spec at `file`, optionally edited first. Without `mutate` it is
 * built from the file's own text (locations are the file's lines); with it, the parsed YAML (loosely
 * typed plain data) is changed, serialised and read back through the real pipeline under the same
 * path, so relative handler paths still resolve and an edit that breaks the spec fails loudly.
 *
 * @example
 * const model = editedSpecModel('examples/linkly/archspec.yaml', (s) => { s.api.auth.loginLimit = '3/min'; }, 'linkly spec');
 */
export function editedSpecModel(file: string, mutate: ((spec: any) => void) | undefined, name: string): SystemModel {
  const text = readFileSync(file, 'utf8');
  if (!mutate) return modelFromYaml(text, file, name);
  const spec = parse(text);
  mutate(spec);
  return modelFromYaml(stringify(spec), file, `edited ${name}`);
}

function modelFromYaml(text: string, file: string, what: string): SystemModel {
  const { document, problems } = parseYamlSpec(text, file);
  if (!document) throw new Error(`${what} does not parse: ${problems.map((p) => p.message).join('; ')}`);
  const { model, diagnostics } = analyze(document);
  if (!model) throw new Error(`${what} is invalid:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return model;
}
