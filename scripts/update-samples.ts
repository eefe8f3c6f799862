/**
 * `npm run samples:update`: rewrites the golden design documents in test/samples/<example>/design.md
 * from examples/<example>/archspec.yaml. Review the diff before committing it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderSample, SAMPLE_EXAMPLES, samplePath } from '../test/samples/samples.ts';

for (const example of SAMPLE_EXAMPLES) {
  const path = samplePath(example);
  const next = await renderSample(example);
  const previous = await readFile(path, 'utf8').catch(() => undefined);
  if (previous === next) {
    process.stdout.write(`unchanged ${path}\n`);
    continue;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, next);
  process.stdout.write(`${previous === undefined ? 'created' : 'updated'} ${path}\n`);
}
