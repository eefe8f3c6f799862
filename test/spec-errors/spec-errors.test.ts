import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { analyze } from '../../src/model/analyze.ts';
import { diagnostic, type Diagnostic } from '../../src/diagnostics/diagnostic.ts';
import type { SystemModel } from '../../src/model/system-model.ts';
import { CATALOGUE } from '../../src/diagnostics/catalogue.ts';

/**
 * Invalid-spec samples: each `<case>/archspec.yaml` is the valid `_base` spec with one mistake (a
 * few with two or three), beside `expected.json` listing every diagnostic it must produce, in the
 * order analyze() reports them: `[{ code, line, column, message? }]` (`message` is a substring).
 */
interface Expected {
  code: string;
  line: number;
  column: number;
  message?: string;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CASES = readdirSync(HERE, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== '_base' && existsSync(join(HERE, d.name, 'expected.json')))
  .map((d) => d.name)
  .sort();

/** Reads and analyzes a spec the way `archspec check` does: reading problems become diagnostics too. */
async function check(file: string): Promise<{ model?: SystemModel; diagnostics: Diagnostic[] }> {
  const { document, problems } = await loadSpec(file);
  if (!document) return { diagnostics: problems.map((p) => diagnostic({ code: p.code, message: p.message, path: [], at: p.at })) };
  return analyze(document);
}

describe('invalid-spec samples', () => {
  it('has a sample for at least 45 mistakes', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
  });

  it('has a sample for every code a YAML spec can produce', () => {
    const notFromYaml = new Set(['spec_file_unreadable', 'spec_ts_invalid']);
    const sampled = new Set(CASES.flatMap((name) => (JSON.parse(readFileSync(join(HERE, name, 'expected.json'), 'utf8')) as Expected[]).map((e) => e.code)));
    expect(Object.keys(CATALOGUE).filter((code) => !notFromYaml.has(code) && !sampled.has(code))).toEqual([]);
  });

  it('builds a model from the base spec with no diagnostics', async () => {
    const { model, diagnostics } = await check(join(HERE, '_base', 'archspec.yaml'));
    expect(diagnostics).toEqual([]);
    expect(model?.system.name).toBe('Notely');
  });

  it.each(CASES)('%s reports exactly the expected diagnostics', async (name) => {
    const file = join(HERE, name, 'archspec.yaml');
    const expected = JSON.parse(readFileSync(join(HERE, name, 'expected.json'), 'utf8')) as Expected[];
    const { model, diagnostics } = await check(file);

    expect(model).toBeUndefined();
    expect(diagnostics.map(({ code, line, column }) => ({ code, line, column }))).toEqual(
      expected.map(({ code, line, column }) => ({ code, line, column })),
    );
    expected.forEach((e, i) => {
      if (e.message !== undefined) expect(diagnostics[i]!.message).toContain(e.message);
    });
    for (const d of diagnostics) {
      expect(d.file).toBe(file);
      expect(d.message.trim()).not.toBe('');
      expect(d.hint.trim()).not.toBe('');
    }
  });
});

describe('archspec check on invalid samples', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/archspec.js', 'check', ...args], { cwd: ROOT, encoding: 'utf8' });
  const sample = (name: string) => relative(ROOT, join(HERE, name, 'archspec.yaml'));
  const stackFrame = /^\s+at .+:\d+:\d+\)?$/m;

  it.each(['percentile-order', 'yaml-duplicate-key', 'requirement-unknown-targets'])('prints %s as file:line:column and exits 1', (name) => {
    const expected = JSON.parse(readFileSync(join(HERE, name, 'expected.json'), 'utf8')) as Expected[];
    const run = cli(sample(name));
    expect(run.status).toBe(1);
    for (const e of expected) expect(run.stderr).toContain(`${sample(name)}:${e.line}:${e.column} error ${e.code}:`);
    expect(run.stderr).not.toMatch(stackFrame);
    expect(run.stderr).not.toContain('    at ');
  });

  it('prints the diagnostics as JSON with --format json', () => {
    const expected = JSON.parse(readFileSync(join(HERE, 'several-mistakes-one-run', 'expected.json'), 'utf8')) as Expected[];
    const run = cli(sample('several-mistakes-one-run'), '--format', 'json');
    expect(run.status).toBe(1);
    const out = JSON.parse(run.stdout) as { ok: boolean; diagnostics: Diagnostic[] };
    expect(out.ok).toBe(false);
    expect(out.diagnostics.map(({ code, line, column }) => ({ code, line, column }))).toEqual(
      expected.map(({ code, line, column }) => ({ code, line, column })),
    );
    expect(out.diagnostics.every((d) => d.file === sample('several-mistakes-one-run') && d.hint.length > 0)).toBe(true);
  });

  it('reports a missing spec file as one line with a hint, not a stack trace', () => {
    const run = cli('test/spec-errors/no-such-case/archspec.yaml');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('test/spec-errors/no-such-case/archspec.yaml:1:1 error spec_file_unreadable:');
    expect(run.stderr).toContain('hint:');
    expect(run.stderr).not.toMatch(stackFrame);
  });
});
