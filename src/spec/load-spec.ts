import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parseYamlSpec } from './parse-yaml.ts';
import type { ReadResult } from './spec-document.ts';

/**
 * Reads a spec from disk: `archspec.yaml`/`.yml`, or `archspec.config.ts` exporting
 * `defineSystem({...})`. Never throws for user mistakes: they come back as problems.
 *
 * @example
 * const { document, problems } = await loadSpec('examples/linkly/archspec.yaml');
 */
export async function loadSpec(file: string): Promise<ReadResult> {
  const at = { file, line: 1, column: 1 };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    return { problems: [{ code: 'spec_file_unreadable', message: `cannot read ${file}: ${reason}`, at }] };
  }
  const ext = extname(file);
  if (ext === '.ts' || ext === '.mts') {
    // The TypeScript compiler takes about a second to load: only YAML-free specs pay for it.
    const { loadTypeScriptSpec } = await import('./load-typescript.ts');
    return loadTypeScriptSpec(resolve(file), file, text);
  }
  return parseYamlSpec(text, file);
}
