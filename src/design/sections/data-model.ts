import type { Entity, Field, Relationship, SystemModel } from '../../model/system-model.ts';
import type { DesignReport } from '../design-report.ts';
import { erDiagram } from '../diagrams/er-diagram.ts';
import { code, codes, diagram, heading, joined, list, paragraph, strong, table, type Block, type Inline } from '../render/doc-tree.ts';
import { plural, words } from './format.ts';

/**
 * "Data Model": one sentence per entity (what it stores, its attributes, its primary identifier,
 * what it relates to and how), an attributes table per entity, the relationships table and the
 * entity-relationship diagram.
 */
export function dataModel(report: DesignReport): Block[] {
  const { model } = report;
  const blocks: Block[] = [
    heading(2, 'Data Model'),
    paragraph(`The core data entities and relationships: ${plural(model.entities.length, 'entity', 'entities')} and ${plural(model.relationships.length, 'relationship')}.`),
    list(model.entities.map((e) => entitySentence(model, e))),
  ];
  for (const e of model.entities) {
    blocks.push(heading(3, `Entity: ${e.name}`), table(['Attribute', 'Type', 'Required', 'Constraints', 'Notes'], attributeRows(e)));
  }
  if (model.relationships.length) {
    blocks.push(heading(3, 'Relationships'), table(['From', 'Field', 'To', 'Type', 'Required', 'On delete'], model.relationships.map((r) => [
      [strong(r.from)], [code(r.field)], [strong(r.to)], [relationshipType(r)], [r.required ? 'yes' : 'no'], [r.onDelete],
    ])));
  }
  blocks.push(diagram('Entity-relationship diagram', erDiagram(model)));
  return blocks;
}

function entitySentence(model: SystemModel, e: Entity): Inline[] {
  const attributes = e.fields.filter((f) => !f.ref?.many).map((f) => f.name);
  const related = model.relationships.filter((r) => r.from === e.name);
  const relations: Inline[] = related.flatMap((r, i): Inline[] => [i === 0 ? '; related to ' : ' and to ', strong(r.to), ` through ${relationshipType(r)} (`, code(r.field), ')']);
  return [
    strong(e.name), `: stores ${e.description ?? `${e.name} records`} with attributes `, ...codes(attributes),
    '; ', code(e.id.field), ` is the primary identifier (${e.id.type}, generated ${e.id.generate})`, ...relations, '.',
  ];
}

function relationshipType(r: Relationship): string {
  return r.kind === 'many-to-many' ? `many-to-many (join table ${r.from}_${r.field})` : 'many-to-one';
}

function attributeRows(e: Entity): Inline[][][] {
  const rows: Inline[][][] = [[[code(e.id.field)], [e.id.type], ['yes'], ['primary key'], [`generated: ${e.id.generate}`]]];
  for (const f of e.fields) rows.push([[code(f.name)], [fieldType(f)], [f.required ? 'yes' : 'no'], constraints(f), [words(notes(f), '')]]);
  if (e.timestamps) rows.push([[code('createdAt')], ['timestamp'], ['yes'], ['read-only'], ['set by the server']], [[code('updatedAt')], ['timestamp'], ['yes'], ['read-only'], ['set by the server']]);
  if (e.softDelete) rows.push([[code('deletedAt')], ['timestamp'], ['no'], ['read-only'], ['soft delete: set instead of deleting the row']]);
  return rows;
}

function fieldType(f: Field): string {
  if (f.ref) return f.ref.many ? `many ${f.ref.entity}` : `ref ${f.ref.entity}`;
  return f.values ? `enum (${f.values.join(', ')})` : f.type;
}

function constraints(f: Field): Inline[] {
  const items: Inline[][] = [
    f.unique ? ['unique'] : [],
    f.default !== undefined ? ['default ', code(String(f.default))] : [],
    f.min !== undefined ? [`min ${f.min}`] : [],
    f.max !== undefined ? [`max ${f.max}`] : [],
    f.minLength !== undefined ? [`at least ${f.minLength} characters`] : [],
    f.maxLength !== undefined ? [`at most ${f.maxLength} characters`] : [],
    f.pattern !== undefined ? ['matches ', code(f.pattern)] : [],
    f.readOnly ? ['read-only'] : [],
    f.filterable ? ['filterable (indexed)'] : [],
    f.ref ? [`on delete ${f.ref.onDelete}`] : [],
  ];
  return joined(items.filter((i) => i.length), ', ');
}

function notes(f: Field): string[] {
  return [
    f.description ?? '',
    f.pii ? 'personal data (PII)' : '',
    f.sensitive ? 'sensitive' : '',
    f.encrypted ? 'encrypted at rest' : '',
  ].filter(Boolean);
}
