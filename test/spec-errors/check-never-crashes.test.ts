import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseYamlSpec } from '../../src/spec/parse-yaml.ts';
import { analyze } from '../../src/model/analyze.ts';
import type { SourceLocation } from '../../src/diagnostics/diagnostic.ts';

/**
 * Whatever text a user writes, reading and analyzing it never throws: it ends in a model or in at
 * least one located diagnostic, and every location is inside the file.
 */
const BASE_TEXT = readFileSync(fileURLToPath(new URL('_base/archspec.yaml', import.meta.url)), 'utf8');
const BASE = parse(BASE_TEXT) as Record<string, unknown>;

/** Reads and analyzes `text`; returns every location reported and whether a model was built. */
function checkText(text: string): { model: boolean; at: SourceLocation[] } {
  const { document, problems } = parseYamlSpec(text, 'archspec.yaml');
  if (!document) return { model: false, at: problems.map((p) => p.at) };
  const { model, diagnostics } = analyze(document);
  return { model: model !== undefined, at: diagnostics };
}

function expectLocatedInside(text: string, result: { model: boolean; at: SourceLocation[] }): void {
  const lines = text.split(/\r\n|\r|\n/).length;
  expect(result.model || result.at.length > 0).toBe(true);
  for (const at of result.at) {
    expect(at.line).toBeGreaterThanOrEqual(1);
    expect(at.column).toBeGreaterThanOrEqual(1);
    expect(at.line).toBeLessThanOrEqual(lines);
  }
}

/** Text built from YAML's punctuation and keywords, to reach the parser's error paths often. */
const yamlish = fc
  .array(fc.constantFrom(':', ': ', ' ', '  ', '\n', '- ', '{', '}', '[', ']', ', ', '"', "'", '#', 'archspec', 'data', 'User', '1',
    '&a ', '*a', '<<: ', '!!str ', '\t', '? ', '|', '>', '%YAML 1.2\n', '---\n', '...\n', '\r\n', '\u00a0', '\ufeff'), { maxLength: 60 })
  .map((tokens) => tokens.join(''));

type Path = (string | number)[];

/** Every path in the tree (root excluded), parents before children. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

const PATHS = pathsOf(BASE);
const LEAVES = PATHS.filter((p) => {
  const v = p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], BASE);
  return v === null || typeof v !== 'object';
});

/** Values a user might plausibly mistype, plus arbitrary ones of every type. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('300 ms', 'fast', '10 %', '100%', '100.5%', 'User', 'Note', 'notes', 'GET /x/{id}', '0 99 * * *', 'Mars/Base', '', '~', '*'),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxKeys: 3 }),
);

type Mutation =
  | { kind: 'delete'; path: Path }
  | { kind: 'replace'; path: Path; value: unknown }
  | { kind: 'rename'; path: Path; name: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...LEAVES), value: anyValue }),
  fc.record({
    kind: fc.constant('rename' as const),
    path: fc.constantFrom(...PATHS.filter((p) => typeof p[p.length - 1] === 'string')),
    name: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('User', 'notes', 'FR9', 'cache', 'POST /notes', 'toString', 'constructor')),
  }),
);

/** Applies a mutation to a deep copy; a path that an earlier mutation removed is left alone. */
function apply(spec: unknown, m: Mutation): unknown {
  const copy = structuredClone(spec);
  let parent = copy as Record<string | number, unknown> | undefined;
  for (const step of m.path.slice(0, -1)) {
    const next = parent?.[step];
    parent = next && typeof next === 'object' ? (next as Record<string | number, unknown>) : undefined;
  }
  const last = m.path[m.path.length - 1]!;
  if (!parent || !Object.prototype.hasOwnProperty.call(parent, last)) return copy;
  if (m.kind === 'replace') parent[last] = m.value;
  else if (Array.isArray(parent) && m.kind === 'delete') parent.splice(last as number, 1);
  else {
    const entries = Object.entries(parent).flatMap(([k, v]): [string, unknown][] => (k !== String(last) ? [[k, v]] : m.kind === 'rename' ? [[m.name, v]] : []));
    for (const k of Object.keys(parent)) delete parent[k];
    for (const [k, v] of entries) Object.defineProperty(parent, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

describe('check never crashes', () => {
  it('reads any text into a model or located diagnostics', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), yamlish), (text) => {
        expectLocatedInside(text, checkText(text));
      }),
      { numRuns: 300 },
    );
  });

  it('reads any JSON-like value written as YAML into a model or located diagnostics', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = stringify(value);
        expectLocatedInside(text, checkText(text));
      }),
      { numRuns: 200 },
    );
  });

  it('reports mutations of the base spec inside the file, without throwing', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const text = stringify(mutations.reduce<unknown>(apply, BASE));
        expectLocatedInside(text, checkText(text));
      }),
      { numRuns: 300 },
    );
  });

  it('mutates the YAML text line by line without throwing', () => {
    const lines = BASE_TEXT.split('\n');
    fc.assert(
      fc.property(fc.nat(lines.length - 1), fc.nat(90), fc.oneof(fc.string({ maxLength: 20 }), yamlish), fc.boolean(), (line, column, insert, replaceLine) => {
        const edited = [...lines];
        const old = edited[line]!;
        edited[line] = replaceLine ? insert : old.slice(0, column) + insert + old.slice(column);
        const text = edited.join('\n');
        expectLocatedInside(text, checkText(text));
      }),
      { numRuns: 200 },
    );
  });
});
