import { z } from 'zod';
import { UNIT_PATTERNS } from '../src/spec/units.ts';
import { secretRef, urlRef, entityName, componentName, fieldName, eventName } from '../src/spec/schema-kit.ts';
import { fieldDef, SCALAR_TYPES } from '../src/spec/schema/index.ts';

/**
 * The field reference of `docs/spec.md`, generated from the spec's JSON Schema: one row per field
 * with its path, type (units, allowed values, bounds), whether it is required, and its description.
 *
 * @example
 * renderFieldReference(specJsonSchema()) // "### Top level\n\n| Field | Type | ..."
 */

type Schema = { [key: string]: unknown };

/** One documented field. `form` names the union branch it belongs to, e.g. "when `rule: retention`". */
export interface FieldRow {
  path: string;
  form?: string;
  type: string;
  required: 'yes' | 'no' | '—';
  description: string;
}

/** What a user-chosen key stands for, by the path of the mapping that holds it. */
const KEY_NAMES: Record<string, string> = {
  'requirements.functional': 'id',
  'requirements.integrations': 'integration',
  'requirements.nonFunctional.traffic.mix': 'operation',
  'requirements.nonFunctional.latency': 'operation',
  'architecture.components': 'component',
  'architecture.components.<component>.handlers': 'event',
  flows: 'flow',
  events: 'event',
  'events.<event>.payload': 'field',
  jobs: 'job',
  data: 'Entity',
  'data.<Entity>.fields': 'field',
  'api.endpoints': 'endpoint',
  'api.endpoints.<endpoint>.query': 'param',
  'api.endpoints.<endpoint>.body': 'field',
  'scalability.cache': 'target',
  'scalability.capacity.serviceTime': 'operation',
  'scalability.capacity.dbTime': 'operation',
  'resilience.redundancy': 'target',
  'security.roles': 'role',
};

/** Key placeholder for a mapping at `path`; `<key>` when the table above has no name for it. */
export function keyName(path: string): string {
  return `<${KEY_NAMES[path] ?? 'key'}>`;
}

const code = (text: string) => '`' + text + '`';
const pattern = (schema: z.ZodType) => (z.toJSONSchema(schema) as Schema).pattern as string;
const shorthandPattern = ((z.toJSONSchema(fieldDef) as Schema).anyOf as Schema[]).find((b) => b.pattern)?.pattern as string;
/** Patterns with a name people know, instead of the regular expression. */
const NAMED_PATTERNS: Record<string, string> = {
  ...Object.fromEntries(Object.keys(UNIT_PATTERNS).map((kind) => [UNIT_PATTERNS[kind as keyof typeof UNIT_PATTERNS].source, `[${kind}](#units)`])),
  [pattern(secretRef)]: 'secret reference: `env:NAME` or `file:path`',
  [pattern(urlRef)]: 'http(s) URL or `env:NAME`',
  [pattern(entityName)]: 'PascalCase name',
  [pattern(componentName)]: 'lower-case name (letters, digits, dashes)',
  [pattern(fieldName)]: 'camelCase name',
  [pattern(eventName)]: 'dotted lower-case name (`order.paid`)',
  [shorthandPattern]: `type name (${SCALAR_TYPES.filter((t) => t !== 'enum').map(code).join(', ')}; a trailing \`?\` makes it optional)`,
};

const branchesOf = (node: Schema) => (node.anyOf ?? node.oneOf) as Schema[] | undefined;
const propsOf = (node: Schema) => node.properties as Record<string, Schema> | undefined;
const recordValue = (node: Schema) => (typeof node.additionalProperties === 'object' ? (node.additionalProperties as Schema) : undefined);
const isStructured = (node: Schema) => !!(propsOf(node) || recordValue(node) || branchesOf(node));

/** The property whose `const` tells the branches of a union apart, if there is one. */
function discriminator(branches: Schema[]): string | undefined {
  const first = propsOf(branches[0]!) ?? {};
  return Object.keys(first).find((k) => branches.every((b) => propsOf(b)?.[k] && 'const' in propsOf(b)![k]!));
}

function branchLabel(branch: Schema, tag?: string): string {
  if (tag) return `when ${code(`${tag}: ${String(propsOf(branch)![tag]!.const)}`)}`;
  const key = (branch.required as string[] | undefined)?.[0] ?? Object.keys(propsOf(branch) ?? {})[0];
  return `in the ${code(`${key}:`)} form`;
}

function describeNumber(node: Schema): string {
  const bounds: string[] = [];
  if (typeof node.minimum === 'number') bounds.push(`≥ ${node.minimum}`);
  if (typeof node.exclusiveMinimum === 'number') bounds.push(`> ${node.exclusiveMinimum}`);
  if (typeof node.maximum === 'number' && node.maximum < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${node.maximum}`);
  return [node.type === 'integer' ? 'integer' : 'number', ...bounds].join(', ');
}

/** The type column: unit, allowed values, bounds, or the shape of a list or mapping. */
export function describeType(node: Schema, path = ''): string {
  if ('const' in node) return code(JSON.stringify(node.const));
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => code(String(v))).join(', ')}`;
  const branches = branchesOf(node);
  if (branches) {
    const tag = discriminator(branches);
    if (tag) return `mapping; ${code(tag)} is one of ${branches.map((b) => code(String(propsOf(b)![tag]!.const))).join(', ')}`;
    const several = branches.filter((b) => propsOf(b)).length > 1;
    return branches.map((b) => (propsOf(b) ? (several ? `a mapping (${branchLabel(b)})` : 'a mapping') : describeType(b, path))).join(' or ');
  }
  switch (node.type) {
    case 'string':
      if (typeof node.pattern === 'string') return NAMED_PATTERNS[node.pattern] ?? `text matching ${code(node.pattern)}`;
      return node.minLength === 1 ? 'non-empty text' : 'text';
    case 'integer':
    case 'number':
      return describeNumber(node);
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = node.items as Schema;
      const items = describeType(item, `${path}[]`);
      return `list of ${branchesOf(item) && !discriminator(branchesOf(item)!) ? `(${items})` : items}` + (typeof node.minItems === 'number' ? `; at least ${node.minItems}` : '');
    }
    case 'object': {
      const value = recordValue(node);
      if (!value) return 'mapping';
      const keys = (node.propertyNames as Schema | undefined)?.pattern;
      const name = keyName(path);
      const to = isStructured(value) ? 'entries (below)' : `to ${describeType(value, `${path}.${name}`)}`;
      return `mapping of ${code(name)} ${to}` + (typeof keys === 'string' ? `; keys: ${NAMED_PATTERNS[keys] ?? `matching ${code(keys)}`}` : '');
    }
    default:
      return 'any value';
  }
}

/** Every field of the schema, depth first in declaration order. */
export function fieldRows(root: Schema): FieldRow[] {
  const rows: FieldRow[] = [];
  const visit = (node: Schema, path: string, required: FieldRow['required'], form: string | undefined, emit: boolean) => {
    if (emit) rows.push({ path, form, type: describeType(node, path), required, description: String(node.description ?? '') });
    const props = propsOf(node);
    const needed = new Set((node.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries(props ?? {})) visit(child, path ? `${path}.${key}` : key, needed.has(key) ? 'yes' : 'no', form, true);
    const value = recordValue(node);
    if (value) visit(value, `${path}.${keyName(path)}`, '—', form, isStructured(value));
    if (node.type === 'array' && typeof node.items === 'object') visit(node.items as Schema, `${path}[]`, '—', form, isStructured(node.items as Schema));
    // Fields of a union's mapping branches; labelled by branch only when several branches are mappings.
    const mappings = (branchesOf(node) ?? []).filter((b) => propsOf(b));
    const tag = mappings.length > 1 ? discriminator(mappings) : undefined;
    for (const branch of mappings) {
      const label = mappings.length > 1 ? branchLabel(branch, tag) : undefined;
      visit(branch, path, required, [form, label].filter(Boolean).join(', ') || undefined, false);
    }
  };
  visit(root, '', 'yes', undefined, false);
  return rows;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const prose = (text: string) => cell(text).replace(/</g, '&lt;');

/** Markdown: one table per top-level section ("Top level" for the root's plain fields). */
export function renderFieldReference(root: Schema): string {
  const groups = new Map<string, FieldRow[]>();
  const sections = propsOf(root) ?? {};
  for (const row of fieldRows(root)) {
    const top = row.path.split(/[.[]/)[0]!;
    const group = isStructured(sections[top] ?? {}) ? top : 'Top level';
    groups.set(group, [...(groups.get(group) ?? []), row]);
  }
  return [...groups]
    .map(([group, rows]) => [
      `### ${group === 'Top level' ? group : code(group)}`,
      '',
      '| Field | Type | Required | Description |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${cell(code(r.path))}${r.form ? ` (${cell(r.form)})` : ''} | ${cell(r.type)} | ${r.required} | ${prose(r.description) || '—'} |`),
    ].join('\n'))
    .join('\n\n');
}
