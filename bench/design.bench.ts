/**
 * Benchmark: `archspec design` (read + validate + analyze + render Markdown and HTML) on a generated
 * 100-entity, 300-endpoint spec. Target: under 1 s per document on this machine. The baseline, measured
 * in the same run, is parsing the same YAML text alone, so the ratio shows what archspec adds on top.
 *
 * Run: npm run bench
 */
import { cpus } from 'node:os';
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

console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`);
console.log(`spec: 100 entities, 300 endpoints, ${Math.round(text.length / 1024)} KiB of YAML; median of ${RUNS} runs after a warm-up`);
console.log(`baseline  yaml.parse only        ${baseline.toFixed(1).padStart(8)} ms`);
for (const [name, ms] of [['design --format md  ', md], ['design --format html', html]] as const) {
  const verdict = ms < TARGET_MS ? 'PASS' : 'FAIL';
  console.log(`${name}              ${ms.toFixed(1).padStart(8)} ms  ${(ms / baseline).toFixed(1)}x baseline  target < ${TARGET_MS} ms: ${verdict}`);
}
if (md >= TARGET_MS || html >= TARGET_MS) process.exitCode = 1;
