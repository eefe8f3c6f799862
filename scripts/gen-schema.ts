import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { specJsonSchema } from '../src/spec/json-schema.ts';

/**
 * Writes `schema/archspec.schema.json`, the JSON Schema editors use to complete and check
 * `archspec.yaml` (through its `# yaml-language-server: $schema=` line). The text is exactly what
 * `archspec schema` prints: both come from `specJsonSchema()`.
 *
 * @example
 * npx tsx scripts/gen-schema.ts   # or: npm run docs:gen
 */

/** The committed schema file. */
export const SCHEMA_FILE = new URL('../schema/archspec.schema.json', import.meta.url);

/** The schema file's exact contents: pretty-printed JSON with a final newline. */
export function schemaFileText(): string {
  return JSON.stringify(specJsonSchema(), null, 2) + '\n';
}

/** Writes the schema file; returns its path. */
export async function writeSchemaFile(): Promise<string> {
  const path = fileURLToPath(SCHEMA_FILE);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, schemaFileText());
  return path;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = await writeSchemaFile();
  process.stdout.write(`wrote ${path}\n`);
}
