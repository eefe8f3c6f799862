import type { Spec } from '../../spec/schema/index.ts';
import type { SpecPath } from '../../spec/spec-document.ts';
import { parseFieldDef, type FieldDefinition } from './field-def.ts';
import type { Loc } from './figures.ts';
import type * as M from '../system-model.ts';

/** Normalizes `data`: identifiers, fields in long form, owner, soft delete, timestamps. */
export function buildEntities(spec: Spec, loc: Loc): M.Entity[] {
  return Object.entries(spec.data).map(([name, e]) => {
    const idSpec = e.id ?? 'uuid';
    const id: M.Entity['id'] = typeof idSpec === 'string'
      ? { field: 'id', type: idSpec === 'serial' ? 'integer' : idSpec === 'short' ? 'string' : 'uuid', generate: idSpec }
      : idSpec;
    return {
      ...loc(['data', name]),
      name,
      description: e.description,
      id,
      fields: fieldsOf(e.fields, ['data', name, 'fields'], loc),
      owner: e.owner,
      softDelete: e.softDelete ?? false,
      timestamps: e.timestamps ?? true,
    };
  });
}

/** Fields of an entity, a query or a body, in long form with their locations. */
export function fieldsOf(raw: Record<string, Parameters<typeof parseFieldDef>[0]>, base: SpecPath, loc: Loc): M.Field[] {
  return Object.entries(raw).map(([name, def]) => {
    const f: FieldDefinition = parseFieldDef(def);
    return { ...loc([...base, name]), name, ...f, encrypted: false };
  });
}

/** Default purpose of a generated endpoint. */
export function crudSummary(op: M.CrudOperation, entity: string): string {
  const a = /^[AEIOU]/.test(entity) ? 'an' : 'a';
  return { create: `create ${a} ${entity}`, list: `list ${entity} records`, get: `read one ${entity}`, update: `update ${a} ${entity}`, delete: `delete ${a} ${entity}` }[op];
}

/** What a generated endpoint returns. */
export function crudReturns(op: M.CrudOperation, entity: string): string {
  return {
    create: `the created ${entity} (201, Location header)`,
    list: `a page of ${entity} records and a next cursor`,
    get: `the ${entity} with its ETag`,
    update: `the updated ${entity} with its new ETag`,
    delete: 'nothing (204)',
  }[op];
}
