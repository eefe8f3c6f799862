import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** Lines of `excerpt` (comments and blanks aside) that do not appear, in order, in `source`. */
function linesOutOfOrder(excerpt: string, source: string[]): string[] {
  let at = 0;
  const missing: string[] = [];
  for (const line of excerpt.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const bare = line.replace(/\s+#.*$/, '').trimEnd();
    const found = source.findIndex((s, i) => i >= at && s.trimEnd() === bare);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

describe('docs/spec.md', () => {
  it('quotes examples/linkly/archspec.yaml faithfully in every YAML excerpt', () => {
    const source = read('examples/linkly/archspec.yaml').split('\n').map((l) => l.replace(/\s+#.*$/, ''));
    const excerpts = [...read('docs/spec.md').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(excerpts.length).toBeGreaterThan(5);
    const stale = excerpts.map((e, i) => ({ excerpt: i, lines: linesOutOfOrder(e, source) })).filter((e) => e.lines.length);
    expect(stale, 'update the excerpts in docs/spec.md to match examples/linkly/archspec.yaml').toEqual([]);
  });
});
