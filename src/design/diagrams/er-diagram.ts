import type { Entity, Field, Relationship, SystemModel } from '../../model/system-model.ts';
import { bareWord, quoted } from './mermaid-text.ts';

/**
 * Mermaid entity-relationship diagram: every entity with its primary identifier (PK), fields and
 * their types, foreign keys (FK) and unique fields (UK), server-managed timestamps; a comment per
 * attribute for PII, encryption and optionality. Many-to-one references are drawn `}o--||` when
 * the reference is required (each record has exactly one target) and `}o--o|` when optional;
 * many-to-many references go through their join table (`From_field`), one-to-many on both sides.
 *
 * @example
 * diagram('Entity-relationship diagram', erDiagram(model))
 */
export function erDiagram(model: SystemModel): string {
  const byName = new Map(model.entities.map((e) => [e.name, e]));
  const out = ['erDiagram'];
  for (const e of model.entities) {
    out.push(`  ${bareWord(e.name)} {`);
    out.push(`    ${bareWord(e.id.type)} ${bareWord(e.id.field)} PK ${quoted(`generated: ${e.id.generate}`)}`);
    for (const f of e.fields) {
      if (f.ref?.many) continue;
      out.push(`    ${attribute(f, byName)}`);
    }
    if (e.timestamps) out.push('    timestamp createdAt', '    timestamp updatedAt');
    if (e.softDelete) out.push(`    timestamp deletedAt ${quoted('soft delete')}`);
    out.push('  }');
  }
  for (const r of model.relationships) out.push(...relationship(r, byName));
  return out.join('\n') + '\n';
}

function attribute(f: Field, byName: Map<string, Entity>): string {
  const type = f.ref ? (byName.get(f.ref.entity)?.id.type ?? 'uuid') : f.type;
  const keys = [f.ref ? 'FK' : '', f.unique ? 'UK' : ''].filter(Boolean).join(', ');
  const notes = [
    f.required ? '' : 'optional',
    f.pii ? 'PII' : '',
    f.sensitive ? 'sensitive' : '',
    f.encrypted ? 'encrypted' : '',
    f.values ? `one of ${f.values.join(', ')}` : '',
    f.ref ? `references ${f.ref.entity}, on delete ${f.ref.onDelete}` : '',
  ].filter(Boolean);
  return [bareWord(type), bareWord(f.name), keys, notes.length ? quoted(notes.join('; ')) : ''].filter(Boolean).join(' ');
}

function relationship(r: Relationship, byName: Map<string, Entity>): string[] {
  const from = bareWord(r.from);
  const to = bareWord(r.to);
  if (r.kind === 'many-to-one') return [`  ${from} }o--${r.required ? '||' : 'o|'} ${to} : ${quoted(r.field)}`];
  const join = bareWord(`${r.from}_${r.field}`);
  const fromKey = lowerFirst(r.from) + 'Id';
  const toKey = r.from === r.to ? `${lowerFirst(r.field)}Id` : lowerFirst(r.to) + 'Id';
  const idType = (name: string) => bareWord(byName.get(name)?.id.type ?? 'uuid');
  return [
    `  ${join} {`,
    `    ${idType(r.from)} ${bareWord(fromKey)} PK, FK`,
    `    ${idType(r.to)} ${bareWord(toKey)} PK, FK`,
    '  }',
    `  ${from} ||--o{ ${join} : ${quoted(r.field)}`,
    `  ${to} ||--o{ ${join} : ${quoted(`in ${r.from}.${r.field}`)}`,
  ];
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
