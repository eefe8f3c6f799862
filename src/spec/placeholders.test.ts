import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDERS, TEMPLATE_SECTIONS } from './placeholders.ts';
import { specJsonSchema } from './json-schema.ts';

// The template archspec implements, kept in the repository so a clone is self-contained; the
// upstream copy (../shared/seed-template.md beside the repository) is compared when present.
const TEMPLATE = new URL('../../docs/template.md', import.meta.url);
const UPSTREAM_TEMPLATE = fileURLToPath(new URL('../../../shared/seed-template.md', import.meta.url));
const SPEC_DOC = new URL('../../docs/spec.md', import.meta.url);

function readTemplate(): string {
  return readFileSync(TEMPLATE, 'utf8');
}

/** Each placeholder with the innermost heading it first appears under ('Introduction' before any). */
function templatePlaceholders(text: string): Map<string, string> {
  const found = new Map<string, string>();
  let section = 'Introduction';
  for (const line of text.split('\n')) {
    const heading = /^#{2,3}\s+(.+?)\s*$/.exec(line);
    if (heading) section = heading[1]!;
    for (const [name] of line.matchAll(/\{[a-z0-9_]+\}/g)) if (!found.has(name)) found.set(name, section);
  }
  return found;
}

type Schema = Record<string, unknown>;

/** The schema itself and every branch it may take (anyOf/oneOf/allOf, $ref into $defs). */
function alternatives(node: Schema, root: Schema): Schema[] {
  const out: Schema[] = [node];
  if (typeof node.$ref === 'string') {
    const target = node.$ref.replace(/^#\//, '').split('/').reduce<unknown>((n, k) => (n as Schema | undefined)?.[k], root);
    if (target) out.push(...alternatives(target as Schema, root));
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const branch of (node[key] as Schema[] | undefined) ?? []) out.push(...alternatives(branch, root));
  }
  return out;
}

/** Follows a spec path (`data.<Entity>.id`, `observability.alerts[].when`) through a JSON Schema. */
function resolve(root: Schema, path: string): Schema | undefined {
  const steps = path.split('.').flatMap((s) => (s.endsWith('[]') ? [s.slice(0, -2), '[]'] : [s]));
  let nodes: Schema[] = [root];
  for (const step of steps) {
    const next: Schema[] = [];
    for (const node of nodes.flatMap((n) => alternatives(n, root))) {
      if (step === '[]' && typeof node.items === 'object') next.push(node.items as Schema);
      else if (/^<\w+>$/.test(step) && typeof node.additionalProperties === 'object') next.push(node.additionalProperties as Schema);
      else {
        const child = (node.properties as Record<string, Schema> | undefined)?.[step];
        if (child) next.push(child);
      }
    }
    if (!next.length) return undefined;
    nodes = next;
  }
  return nodes[0];
}

describe('docs/template.md', () => {
  it.skipIf(!existsSync(UPSTREAM_TEMPLATE))('is the same template as ../shared/seed-template.md', () => {
    expect(readTemplate()).toBe(readFileSync(UPSTREAM_TEMPLATE, 'utf8'));
  });
});

describe('PLACEHOLDERS', () => {
  it('has exactly one entry per placeholder of the template', () => {
    const expected = [...templatePlaceholders(readTemplate()).keys()].sort();
    const actual = PLACEHOLDERS.map((p) => p.placeholder);
    expect(new Set(actual).size).toBe(actual.length);
    expect([...actual].sort()).toEqual(expected);
    expect(actual).toHaveLength(77);
  });

  it('names the template heading each placeholder first appears under', () => {
    const sections = templatePlaceholders(readTemplate());
    for (const p of PLACEHOLDERS) {
      expect(TEMPLATE_SECTIONS).toContain(p.section);
      expect({ placeholder: p.placeholder, section: p.section }).toEqual({ placeholder: p.placeholder, section: sections.get(p.placeholder) });
    }
  });

  it('points every field at a path that exists in the JSON Schema', () => {
    const schema = specJsonSchema();
    const unresolved = PLACEHOLDERS.flatMap((p) => p.field.split(' + ').filter((path) => !resolve(schema, path)).map((path) => `${p.placeholder}: ${path}`));
    expect(unresolved).toEqual([]);
  });

  it('resolves wildcards and list items but rejects paths that do not exist', () => {
    const schema = specJsonSchema();
    expect(resolve(schema, 'data.<Entity>.fields.<field>.pii')).toBeDefined();
    expect(resolve(schema, 'requirements.data[].fields')).toBeDefined();
    expect(resolve(schema, 'scalability.database.approaches')).toBeUndefined();
    expect(resolve(schema, 'system.<key>')).toBeUndefined();
    expect(resolve(schema, 'system[]')).toBeUndefined();
  });

  it('fills every column', () => {
    for (const p of PLACEHOLDERS) {
      for (const column of ['field', 'design', 'runtime', 'deploy', 'verify'] as const) {
        expect(p[column].trim(), `${p.placeholder} ${column}`).not.toBe('');
      }
    }
  });

  it('is documented in docs/spec.md', () => {
    const doc = readFileSync(SPEC_DOC, 'utf8');
    expect(PLACEHOLDERS.filter((p) => !doc.includes(p.placeholder)).map((p) => p.placeholder)).toEqual([]);
  });
});
