import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SPEC_DOC, replaceBlock, renderPlaceholderTable, updateSpecDoc } from './gen-spec-docs.ts';
import { SCHEMA_FILE, schemaFileText } from './gen-schema.ts';
import { describeType, fieldRows, renderFieldReference } from './spec-field-reference.ts';
import { specJsonSchema } from '../src/spec/json-schema.ts';
import { PLACEHOLDERS } from '../src/spec/placeholders.ts';

const STALE = 'is out of date: run `npm run docs:gen` and commit the result';
const CLI = fileURLToPath(new URL('../bin/archspec.js', import.meta.url));

describe('generated documentation', () => {
  it('docs/spec.md matches the schema and the placeholder table', () => {
    const current = readFileSync(SPEC_DOC, 'utf8');
    expect(current === updateSpecDoc(current), `docs/spec.md ${STALE}`).toBe(true);
  });

  it('schema/archspec.schema.json matches the spec schema', () => {
    const current = readFileSync(SCHEMA_FILE, 'utf8');
    expect(current === schemaFileText(), `schema/archspec.schema.json ${STALE}`).toBe(true);
  });

  it('writes the schema file exactly as `archspec schema` prints it', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'schema']);
    expect(stdout).toBe(schemaFileText());
  });
});

describe('field reference', () => {
  const schema = specJsonSchema();
  const rows = fieldRows(schema);

  it('lists every field once per form, with user-chosen keys named', () => {
    const paths = rows.map((r) => `${r.path} ${r.form ?? ''}`);
    expect(new Set(paths).size).toBe(paths.length);
    expect(rows.map((r) => r.path)).toEqual(expect.arrayContaining([
      'system.name',
      'data.<Entity>.fields.<field>.ref',
      'api.endpoints.<endpoint>.does',
      'flows.<flow>.steps[].async',
      'observability.alerts[].when',
    ]));
    expect(rows.filter((r) => r.path.includes('<key>')).map((r) => r.path)).toEqual([]);
  });

  it('tells the branches of a discriminated union apart', () => {
    const keep = rows.find((r) => r.path === 'requirements.data[].keep');
    expect(keep?.form).toBe('when `rule: retention`');
    expect(keep?.type).toBe('[duration](#units)');
  });

  it('describes units, allowed values, bounds and requiredness', () => {
    const row = (path: string) => rows.find((r) => r.path === path)!;
    expect(row('requirements.nonFunctional.users.growth')).toMatchObject({ type: '[growth](#units)', required: 'yes' });
    expect(row('architecture.storage.cache.engine').type).toBe('one of `memory`, `redis`');
    expect(row('requirements.integrations.<integration>.retry')).toMatchObject({ type: 'integer, ≥ 0, ≤ 10', required: 'no' });
    expect(describeType({ type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 })).toBe('list of non-empty text; at least 1');
  });

  it('escapes table pipes in patterns', () => {
    expect(renderFieldReference(schema)).toContain('`^(GET\\|POST\\|PUT\\|PATCH\\|DELETE)');
  });
});

describe('placeholder table and markers', () => {
  it('renders one row per placeholder', () => {
    const table = renderPlaceholderTable(PLACEHOLDERS).split('\n');
    expect(table).toHaveLength(PLACEHOLDERS.length + 2);
    expect(table[2]).toContain('`{system_name}` | Introduction | `system.name`');
  });

  it('replaces only what lies between the markers', () => {
    const text = 'before\n<!-- x:start -->\nold\n<!-- x:end -->\nafter\n';
    const out = replaceBlock(text, 'x', 'new');
    expect(out.startsWith('before\n<!-- x:start -->\n')).toBe(true);
    expect(out.endsWith('\nnew\n\n<!-- x:end -->\nafter\n')).toBe(true);
    expect(out).not.toContain('old');
    expect(replaceBlock(out, 'x', 'new')).toBe(out);
  });

  it('refuses a document without its markers', () => {
    expect(() => replaceBlock('no markers here', 'fields', 'x')).toThrow(/<!-- fields:start -->/);
    expect(() => replaceBlock('<!-- x:end --> <!-- x:start -->', 'x', 'y')).toThrow(/in that order/);
  });
});
