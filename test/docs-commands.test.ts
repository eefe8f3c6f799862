import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LINT_RULES } from '../src/design/lint/index.ts';

const page = (name: string) => readFileSync(new URL(`../docs/commands/${name}.md`, import.meta.url), 'utf8');

describe('command pages', () => {
  it('exist for every command the CLI offers', () => {
    for (const name of ['check', 'design', 'schema', 'init', 'serve', 'migrate', 'jobs', 'audit', 'events', 'keys']) expect(page(name)).toMatch(new RegExp(`^# \`archspec ${name}\``));
  });

  it('list every design review rule with its severity, and no rule that does not exist', () => {
    const doc = page('design');
    for (const rule of LINT_RULES) expect(doc).toContain(`| \`${rule.id}\` | ${rule.severity} |`);
    const documented = [...doc.matchAll(/^\| `([a-z0-9-]+)` \| (?:error|warning|info) \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(LINT_RULES.map((r) => r.id).sort());
  });
});
