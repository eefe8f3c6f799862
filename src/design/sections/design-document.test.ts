import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../spec/load-spec.ts';
import { analyze } from '../../model/analyze.ts';
import { buildDesignReport } from '../build-design-report.ts';
import type { DesignReport } from '../design-report.ts';
import { renderMarkdown } from '../render/markdown.ts';
import { linklyModel } from '../test-support/linkly-fixture.ts';
import { designDocument } from './design-document.ts';
import { monthsShown } from './capacity-plan-section.ts';

const EXAMPLES = readdirSync('examples', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `examples/${d.name}/archspec.yaml`);

async function report(file: string): Promise<DesignReport> {
  const { document } = await loadSpec(file);
  const { model } = analyze(document!);
  return buildDesignReport(model!);
}

const H2 = ['Requirements Analysis', 'System Architecture', 'Data Model', 'API Design', 'Scalability Approach', 'Resilience and Fault Tolerance',
  'Security Considerations', 'Monitoring and Observability', 'Deployment Strategy', 'Design review findings', 'Assumptions'];

/** Template placeholders look like {system_name} or {requirement1}; path parameters like {code} do not. */
const PLACEHOLDER = /\{[a-z][a-z0-9]*(_[a-z0-9]+)+\}|\{[a-z]+\d+\}/;

describe.each(EXAMPLES)('design document of %s', (file) => {
  it('fills every template sentence: no {placeholder} remains', async () => {
    const md = renderMarkdown(designDocument(await report(file)));
    expect(md.match(PLACEHOLDER)?.[0]).toBeUndefined();
    expect(md).not.toMatch(/undefined|NaN|\[object Object\]/);
  });

  it('has the template sections in the template order, then findings and assumptions', async () => {
    const md = renderMarkdown(designDocument(await report(file)));
    expect([...md.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(H2);
    expect(md.indexOf('### High-Level Design')).toBeLessThan(md.indexOf('### Component Interactions'));
    expect(md.indexOf('### Component Interactions')).toBeLessThan(md.indexOf('## Data Model'));
  });

  it('links every table-of-contents entry to a heading that exists', async () => {
    const tree = designDocument(await report(file));
    const ids = new Set(tree.blocks.flatMap((b) => (b.kind === 'heading' ? [b.id] : [])));
    const links = tree.blocks.flatMap((b) => (b.kind === 'list' ? b.items.flat() : [])).flatMap((i) => (typeof i !== 'string' && i.kind === 'link' ? [i.href.slice(1)] : []));
    expect(links.length).toBeGreaterThanOrEqual(H2.length);
    for (const id of links) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(tree.blocks.filter((b) => b.kind === 'heading').length);
  });
});

describe('design document', () => {
  it('opens with the template\'s system sentence', async () => {
    const md = renderMarkdown(designDocument(await report('examples/linkly/archspec.yaml')));
    expect(md).toContain('A scalable and resilient system architecture for **Linkly**, a URL shortener that will turn long URLs into short links and count every visit.');
  });

  it('calls out unsatisfied requirements, infeasible targets and unreachable availability', () => {
    const r = buildDesignReport(linklyModel());
    r.traceability = r.traceability.map((t, i) => (i === 0 ? { ...t, satisfied: false } : t));
    r.capacity = { ...r.capacity, targets: [{ ...r.capacity.targets[0]!, feasible: false, servers: undefined, instances: undefined, achievedMs: undefined, reason: 'the service time alone exceeds the target' }] };
    r.availability = { ...r.availability, reachable: false, verdict: 'The target is out of reach.' };
    const md = renderMarkdown(designDocument(r));
    expect(md).toContain('> [!CAUTION]\n> Not satisfied by any endpoint, flow or job: FR1');
    expect(md).toContain('infeasible: the service time alone exceeds the target');
    expect(md).toContain('> [!CAUTION]\n> The target is out of reach.');
  });

  it('lists each finding with its spec location and hint', () => {
    const r = buildDesignReport(linklyModel());
    r.findings = [{ rule: 'single-point-of-failure', severity: 'error', message: 'links | runs once', hint: 'add replicas', at: { file: 'examples/linkly/archspec.yaml', line: 7, column: 3 }, path: 'architecture.components.links' }];
    const md = renderMarkdown(designDocument(r));
    expect(md).toContain('| **error** | `single-point-of-failure` | links \\| runs once | `examples/linkly/archspec.yaml:7:3` `architecture.components.links` | add replicas |');
  });
});

describe('monthsShown', () => {
  const months = (n: number) => Array.from({ length: n + 1 }, (_, month) => ({ month, concurrentUsers: 1, peakRps: 1, rpsByOperation: {}, dbConnections: 1 }));

  it('shows every third month of a 24-month plan', () => {
    expect(monthsShown(months(24)).map((m) => m.month)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24]);
  });

  it('always shows the last month', () => {
    expect(monthsShown(months(25)).map((m) => m.month).at(-1)).toBe(25);
    expect(monthsShown(months(6)).map((m) => m.month)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
