import { writeFile } from 'node:fs/promises';
import { specJsonSchema } from '../spec/json-schema.ts';

/** `archspec schema [-o FILE]`: prints (or writes) the JSON Schema of the spec language. */
export async function schemaCommand(options: { output?: string }): Promise<number> {
  const text = JSON.stringify(specJsonSchema(), null, 2) + '\n';
  if (options.output) await writeFile(options.output, text);
  else process.stdout.write(text);
  return 0;
}
