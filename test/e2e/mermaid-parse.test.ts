import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/load-spec.ts';
import { analyze } from '../../src/model/analyze.ts';
import type { SystemModel } from '../../src/model/system-model.ts';
import { renderDesign } from '../../src/design/index.ts';
import { mermaidLabel } from '../../src/design/diagrams/mermaid-text.ts';

/**
 * Every Mermaid block of every example's design document is parsed by Mermaid's own parser in
 * headless Chromium, and the HTML document really draws every diagram. Needs /usr/bin/chromium.
 */
const CHROMIUM = '/usr/bin/chromium';
const noChromium = !existsSync(CHROMIUM);
// CI must prove the diagrams (.ci/run installs Chromium); elsewhere a missing browser only skips.
if (noChromium && process.env.CI) throw new Error(`${CHROMIUM} is required in CI for the Mermaid tests (apt-get install -y chromium)`);
const why = noChromium ? ` (skipped: ${CHROMIUM} not found; install chromium to run it)` : '';
const EXAMPLES = readdirSync('examples', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `examples/${d.name}/archspec.yaml`);

let browser: Browser;
let page: Page;
let dir: string;

async function model(file: string): Promise<SystemModel> {
  const { document } = await loadSpec(file);
  const { model: m, diagnostics } = analyze(document!);
  if (!m) throw new Error(`${file} is invalid: ${diagnostics.map((d) => d.message).join('; ')}`);
  return m;
}

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^(`{3,})mermaid\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]!);
}

/** Parses (and renders, to catch drawing errors) one diagram; returns the error or the SVG text. */
function check(text: string): Promise<{ error?: string; text?: string }> {
  return page.evaluate(async (source) => {
    const m = (globalThis as any).mermaid;
    try {
      await m.parse(source);
      const { svg } = await m.render(`d${Math.random().toString(36).slice(2)}`, source);
      const box = document.createElement('div');
      box.innerHTML = svg;
      box.querySelectorAll('style').forEach((s) => s.remove());
      return { text: box.textContent ?? '' };
    } catch (e) {
      return { error: String((e as Error).message ?? e) };
    }
  }, text);
}

beforeAll(async () => {
  if (noChromium) return;
  browser = await chromium.launch({ executablePath: CHROMIUM });
  page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  const bundle = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
  await page.addScriptTag({ content: await readFile(bundle, 'utf8') });
  await page.evaluate(() => (globalThis as any).mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
  dir = await mkdtemp(join(tmpdir(), 'archspec-mermaid-'));
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(EXAMPLES)('diagrams of %s', (file) => {
  it.skipIf(noChromium)(`every Mermaid block of the Markdown parses with Mermaid's parser${why}`, async () => {
    const blocks = mermaidBlocks(await renderDesign(await model(file), 'md'));
    const m = await model(file);
    expect(blocks.length).toBe(2 + m.flows.length);
    for (const block of blocks) expect((await check(block)).error, block).toBeUndefined();
  });

  it.skipIf(noChromium)(`the HTML document draws every diagram as an SVG, offline, without errors${why}`, async () => {
    const out = join(dir, `${file.split('/')[1]}.html`);
    await writeFile(out, await renderDesign(await model(file), 'html'));
    const doc = await browser.newPage();
    const problems: string[] = [];
    doc.on('pageerror', (e) => problems.push(e.message));
    doc.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
    doc.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) problems.push(`network: ${r.url()}`); });
    await doc.goto(`file://${out}`);
    await doc.waitForSelector('html[data-diagrams="done"]', { timeout: 30_000 });
    const state = await doc.evaluate(() => ({
      diagrams: document.querySelectorAll('pre.mermaid').length,
      svgs: document.querySelectorAll('pre.mermaid > svg').length,
      errors: document.querySelectorAll('[aria-roledescription="error"], .error-icon, .error-text').length,
    }));
    await doc.close();
    expect(problems).toEqual([]);
    expect(state.diagrams).toBeGreaterThanOrEqual(3);
    expect(state.svgs).toBe(state.diagrams);
    expect(state.errors).toBe(0);
  });
});

describe('Mermaid labels', () => {
  it.skipIf(noChromium)(`show arbitrary user text exactly, in flowchart, sequence and ER diagrams${why}`, async () => {
    const nasty = fc.constantFrom(...Array.from('ab ():;,.#"\'<>&%`\\{}[]|=+*-_/!?@$^~\n\té漢😀'), 'end', '%%', '-->', '#35;', '&amp;', '<b>', 'style', 'classDef', 'x--', 'o{', '}|');
    const labels = fc.sample(fc.array(nasty, { minLength: 1, maxLength: 12 }).map((a) => a.join('')).filter((s) => s.trim() !== ''), { numRuns: 60, seed: 42 });
    for (const text of labels) {
      const l = mermaidLabel(text);
      const diagrams = [
        `flowchart TB\n  subgraph s["${l}"]\n    n1["${l}"]\n  end\n  n1 -->|"${l}"| n2[("${l}")]\n`,
        `sequenceDiagram\n  actor u as User\n  participant p1 as ${l}\n  u->>p1: ${l}\n  p1-->>u: ${l}\n`,
        `erDiagram\n  A {\n    string x PK "${l}"\n  }\n  A }o--|| B : "${l}"\n`,
      ];
      for (const d of diagrams) {
        const result = await check(d);
        expect(result.error, d).toBeUndefined();
        expect(result.text!.replace(/\s+/g, ' '), d).toContain(text.replace(/\s+/g, ' ').trim());
      }
    }
  });
});
