import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, exampleModel } from '../test-support/example-models.ts';
import { openApiDocument } from './openapi-document.ts';

/**
 * The generated documents pass the real Redocly CLI with its `recommended` rule set: zero errors.
 * The warnings the examples are known to raise are pinned, so a new one shows up as a failure.
 */

const REDOCLY = resolve('node_modules/.bin/redocly');
let dir: string;

beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'archspec-openapi-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

/** Runs `redocly lint --extends=recommended` on `document`; the temp directory has no redocly.yaml to pick up. */
async function lint(name: string, document: unknown): Promise<LintReport> {
  const file = join(dir, `${name}.openapi.json`);
  await writeFile(file, JSON.stringify(document, null, 2));
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const run = promisify(execFile);
  const { stdout } = await run(REDOCLY, ['lint', '--extends=recommended', '--format=json', file], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 })
    .catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(stdout) as LintReport;
}

/** Warnings accepted for each example, as `rule at pointer`. */
const KNOWN_WARNINGS: Record<string, string[]> = {
  // Specs carry no licence; archspec does not invent one.
  linkly: ['info-license at #/info', 'operation-2xx-response at #/paths/~1r~1{code}/get/responses'], // the redirect answers 302 only
  payments: ['info-license at #/info'],
  telehealth: ['info-license at #/info'],
};

describe('redocly lint (recommended)', () => {
  it.each(EXAMPLES)('the %s document has no errors and only the known warnings', async (name) => {
    const report = await lint(name, openApiDocument(await exampleModel(name)));
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
    const warnings = report.problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}`);
    expect(warnings.sort()).toEqual([...KNOWN_WARNINGS[name]!].sort());
  });

  it('reports errors for a broken document (the check can fail)', async () => {
    const document = openApiDocument(await exampleModel('linkly')) as { components: { schemas: Record<string, unknown> } };
    delete document.components.schemas.Problem;
    const report = await lint('broken', document);
    expect(report.problems.some((p) => p.severity === 'error' && p.ruleId === 'no-unresolved-refs')).toBe(true);
  });
});
