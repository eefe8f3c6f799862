import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderSample, SAMPLE_EXAMPLES, samplePath } from './samples.ts';

describe.each(SAMPLE_EXAMPLES)('golden design document of %s', (example) => {
  it('matches test/samples/<example>/design.md (run `npm run samples:update` and review the diff after an intended change)', async () => {
    expect(existsSync(samplePath(example)), `${samplePath(example)} is missing: run npm run samples:update`).toBe(true);
    const golden = await readFile(samplePath(example), 'utf8');
    expect(await renderSample(example)).toBe(golden);
  });

  it('renders the same bytes every time and names the spec by its relative path', async () => {
    const [a, b] = [await renderSample(example), await renderSample(example)];
    expect(a).toBe(b);
    expect(a).toContain(`\`examples/${example}/archspec.yaml\``);
    expect(a).not.toContain(process.cwd());
  });
});
