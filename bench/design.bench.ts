/**
 * Benchmark: `archspec design` on a generated 100-entity, 300-endpoint spec. Target: under 1 s on this
 * machine, for the whole command as a user runs it (a fresh `node bin/archspec.js design` process,
 * start-up included) and for the library call. The baseline, measured in the same run, is parsing
 * the same YAML text alone (library) and `archspec --version` (process start-up), so the ratios
 * show what archspec's own work adds.
 *
 * Run: npm run bench
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateSpec } from './generate-spec.ts';
import { parseYamlSpec } from '../src/spec/parse-yaml.ts';
import { analyze } from '../src/model/analyze.ts';
import { renderDesign } from '../src/design/index.ts';

const TARGET_MS = 1_000;
const RUNS = 5;
const text = generateSpec({ entities: 100, endpointsPerEntity: 3 });

async function designOnce(format: 'md' | 'html'): Promise<number> {
  const start = performance.now();
  const { document } = parseYamlSpec(text, 'bench.yaml');
  const { model, diagnostics } = analyze(document!);
  if (!model) throw new Error(`generated spec is invalid: ${diagnostics.map((d) => d.message).join('; ')}`);
  const out = await renderDesign(model, format);
  if (out.length < 10_000) throw new Error('document suspiciously small');
  return performance.now() - start;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(fn: () => Promise<number> | number): Promise<number> {
  await fn(); // warm-up: JIT and file caches
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await fn());
  return median(times);
}

const baseline = await measure(() => {
  const start = performance.now();
  parse(text);
  return performance.now() - start;
});
const md = await measure(() => designOnce('md'));
const html = await measure(() => designOnce('html'));

// The command as users run it: build the bundle first (npm install does), then time fresh processes.
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'archspec-bench-'));
const specFile = join(dir, 'archspec.yaml');
writeFileSync(specFile, text);
const processMs = async (args: string[]) => measure(() => {
  const start = performance.now();
  execFileSync(process.execPath, ['bin/archspec.js', ...args], { stdio: 'pipe' });
  return performance.now() - start;
});
const startup = await processMs(['--version']);
const cliMd = await processMs(['design', specFile, '-o', join(dir, 'design.md')]);
const cliHtml = await processMs(['design', specFile, '-o', join(dir, 'design.html')]);

console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`);
console.log(`spec: 100 entities, 300 endpoints, ${Math.round(text.length / 1024)} KiB of YAML; median of ${RUNS} runs after a warm-up`);
const row = (name: string, ms: number, base: number, baseName: string) => {
  const verdict = ms < TARGET_MS ? 'PASS' : 'FAIL';
  console.log(`${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / base).toFixed(1).padStart(4)}x ${baseName}  target < ${TARGET_MS} ms: ${verdict}`);
};
console.log('\nwhole command, fresh process each run');
console.log(`${'baseline: archspec --version (start-up)'.padEnd(44)} ${startup.toFixed(1).padStart(8)} ms`);
row('archspec design big.yaml -o design.md', cliMd, startup, 'start-up');
row('archspec design big.yaml -o design.html', cliHtml, startup, 'start-up');
console.log('\nlibrary call (loadSpec + analyze + renderDesign), warm process');
console.log(`${'baseline: yaml.parse only'.padEnd(44)} ${baseline.toFixed(1).padStart(8)} ms`);
row('renderDesign(model, "md")', md, baseline, 'yaml.parse');
row('renderDesign(model, "html")', html, baseline, 'yaml.parse');
if ([cliMd, cliHtml, md, html].some((ms) => ms >= TARGET_MS)) process.exitCode = 1;
