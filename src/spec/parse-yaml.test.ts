import { describe, expect, it } from 'vitest';
import { parseYamlSpec } from './parse-yaml.ts';
import type { SpecPath } from './spec-document.ts';

const TEXT = `# a comment line
top:
  name: Notely
  empty:
  list:
    - a
    - { to: b, does: x }
    - [1, 2]
  flow: { x: 1, y: [u, v] }
  404: not found
  "quoted key": 1
other: 2
`;

function located(text: string) {
  const { document, problems } = parseYamlSpec(text, 'spec.yaml');
  expect(problems).toEqual([]);
  return (path: SpecPath, key = false) => {
    const at = document!.locate(path, { key });
    return `${at.line}:${at.column}`;
  };
}

describe('parseYamlSpec', () => {
  it('reads the tree as plain data', () => {
    const { document } = parseYamlSpec(TEXT, 'spec.yaml');
    expect(document?.file).toBe('spec.yaml');
    expect(document?.data).toEqual({
      top: { name: 'Notely', empty: null, list: ['a', { to: 'b', does: 'x' }, [1, 2]], flow: { x: 1, y: ['u', 'v'] }, 404: 'not found', 'quoted key': 1 },
      other: 2,
    });
  });

  it('expands merge keys', () => {
    const { document } = parseYamlSpec('base: &b { p: 1 }\nm: { <<: *b, q: 2 }\n', 'spec.yaml');
    expect(document?.data).toEqual({ base: { p: 1 }, m: { p: 1, q: 2 } });
  });

  it('reads an empty file as null data, leaving the complaint to validation', () => {
    expect(parseYamlSpec('', 'spec.yaml').document?.data).toBeNull();
  });
});

describe('locate', () => {
  const at = located(TEXT);

  it('finds a value and, with key, its key', () => {
    expect(at(['top', 'name'])).toBe('3:9');
    expect(at(['top', 'name'], true)).toBe('3:3');
    expect(at(['other'], true)).toBe('12:1');
  });

  it('finds a block mapping at its first key and a top-level key at column 1', () => {
    expect(at(['top'])).toBe('3:3');
    expect(at(['top'], true)).toBe('2:1');
  });

  it('finds an empty value just after its key', () => {
    expect(at(['top', 'empty'], true)).toBe('4:3');
    expect(at(['top', 'empty'])).toBe('4:9');
  });

  it('finds items of block and flow sequences, nested in mappings and sequences', () => {
    expect(at(['top', 'list', 0])).toBe('6:7');
    expect(at(['top', 'list', 1])).toBe('7:7');
    expect(at(['top', 'list', 1, 'does'])).toBe('7:22');
    expect(at(['top', 'list', 1, 'does'], true)).toBe('7:16');
    expect(at(['top', 'list', 2, 1])).toBe('8:11');
    expect(at(['top', 'flow', 'y', 1])).toBe('9:24');
  });

  it('points at the item itself when asked for the key of a sequence item', () => {
    expect(at(['top', 'list', 1], true)).toBe('7:7');
  });

  it('matches numeric and quoted keys by their text', () => {
    expect(at(['top', 404])).toBe('10:8');
    expect(at(['top', '404'], true)).toBe('10:3');
    expect(at(['top', 'quoted key'], true)).toBe('11:3');
  });

  it('falls back to the nearest existing ancestor for a missing path', () => {
    expect(at(['top', 'flow', 'z'])).toBe('9:9');
    expect(at(['top', 'flow', 'z'], true)).toBe('9:9');
    expect(at(['top', 'list', 9])).toBe('6:5');
    expect(at(['top', 'list', 9, 'to'], true)).toBe('6:5');
    expect(at(['top', 'name', 'deeper'])).toBe('3:9');
    expect(at(['nope', 'x'])).toBe('2:1');
  });

  it('finds the root at the first node, after leading comments', () => {
    expect(at([])).toBe('2:1');
  });

  it('locates the start of an empty document', () => {
    const empty = located('');
    expect(empty(['anything'])).toBe('1:1');
  });
});

describe('reading problems', () => {
  it('reports only the first syntax error, at its position', () => {
    const { document, problems } = parseYamlSpec('a: 1\nb: "open\nc: [1, 2\n', 'spec.yaml');
    expect(document).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'yaml_syntax', at: { file: 'spec.yaml' } });
    expect(problems[0]!.at.line).toBeGreaterThanOrEqual(2);
  });

  it('reports a tab used for indentation at the tab', () => {
    const { problems } = parseYamlSpec('a:\n\tb: 1\n', 'spec.yaml');
    expect(problems).toEqual([{ code: 'yaml_syntax', message: expect.stringContaining('Tabs'), at: { file: 'spec.yaml', line: 2, column: 1 } }]);
  });

  it('reports every duplicate key at the repeated key', () => {
    const { document, problems } = parseYamlSpec('a: 1\na: 2\nb: { c: 1, c: 2 }\n', 'spec.yaml');
    expect(document).toBeUndefined();
    expect(problems.map((p) => [p.code, p.at.line, p.at.column])).toEqual([
      ['yaml_duplicate_key', 2, 1],
      ['yaml_duplicate_key', 3, 12],
    ]);
  });

  it('refuses an alias expansion bomb instead of building it', () => {
    const bomb = 'x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\ny: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nz: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nw: [*c, *c, *c]\n';
    const { document, problems } = parseYamlSpec(bomb, 'spec.yaml');
    expect(document).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ code: 'yaml_syntax', message: expect.stringContaining('alias') })]);
  });

  it('refuses a file with several documents', () => {
    const { problems } = parseYamlSpec('a: 1\n---\nb: 2\n', 'spec.yaml');
    expect(problems.map((p) => p.code)).toEqual(['yaml_syntax']);
  });
});
