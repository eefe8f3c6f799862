import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { parseYamlSpec } from '../../src/spec/parse-yaml.ts';
import { analyze } from '../../src/model/analyze.ts';
import type { SystemModel } from '../../src/model/system-model.ts';

/**
 * The data model every storage engine is tested with: uuid, serial, short and client ids, every
 * scalar type, required/unique/default, references with cascade, restrict and set-null, a
 * many-to-many, soft delete and filterable fields. The rest of the spec is the compact valid
 * sample `test/spec-errors/_base`.
 */
export const STORAGE_TEST_DATA = `
User:
  fields:
    email: { type: email, unique: true, pii: true }
    role: { type: enum, values: [user, admin], default: user }
Note:
  owner: author
  softDelete: true
  fields:
    author: { ref: User, onDelete: cascade }
    body: { type: text, maxLength: 10000 }
    pinned: { type: boolean, default: false, filterable: true }
    rank: { type: integer, required: false, filterable: true }
    folder: { ref: Folder, required: false, onDelete: set-null }
    tags: { ref: Tag, many: true }
Folder:
  id: serial
  fields:
    name: { type: string, unique: true }
Tag:
  id: short
  fields:
    label: { type: string, filterable: true }
Category:
  id: { field: code, type: string, generate: client }
  timestamps: false
  fields:
    title: string
Product:
  fields:
    name: string
    description: text?
    sku: { type: string, unique: true }
    stock: integer
    weight: number
    price: decimal
    active: boolean
    launchedAt: timestamp
    launchDay: date
    contact: email?
    homepage: url?
    externalId: uuid?
    attributes: json?
    status: { type: enum, values: [draft, live], default: draft, filterable: true }
    category: { ref: Category, onDelete: restrict }
    score: { type: number, required: false, filterable: true }
`;

/** A valid model from the base sample with `data` replaced (YAML text of the data section). */
export function modelWithData(dataYaml: string): SystemModel {
  const spec = parse(readFileSync(new URL('../spec-errors/_base/archspec.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
  spec.data = parse(dataYaml) as Record<string, unknown>;
  const storage = (spec.architecture as { storage: { primary: { holds: string[] } } }).storage;
  storage.primary.holds = Object.keys(spec.data as object);
  const { document, problems } = parseYamlSpec(stringify(spec), 'storage-test.yaml');
  if (!document) throw new Error(problems.map((p) => p.message).join('\n'));
  const { model, diagnostics } = analyze(document);
  if (!model) throw new Error(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`).join('\n'));
  return model;
}

/** The storage test model. */
export const storageTestModel = (): SystemModel => modelWithData(STORAGE_TEST_DATA);
