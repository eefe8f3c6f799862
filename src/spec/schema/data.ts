import { z } from 'zod';
import { obj, text, oneOf, entityName, fieldName } from '../schema-kit.ts';

export const SCALAR_TYPES = ['string', 'text', 'integer', 'number', 'decimal', 'boolean', 'timestamp', 'date', 'email', 'url', 'uuid', 'json', 'enum'] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

const shorthand = z.string().regex(/^(string|text|integer|number|decimal|boolean|timestamp|date|email|url|uuid|json)\??$/, {
  error: (iss) => `"${String(iss.input)}" is not a field type; use one of ${SCALAR_TYPES.filter((t) => t !== 'enum').join(', ')} (append ? for optional), or an object with type: or ref:`,
});

const REF_ONLY = ['many', 'onDelete'] as const;
const SCALAR_ONLY = ['unique', 'default', 'values', 'min', 'max', 'minLength', 'maxLength', 'pattern', 'pii', 'sensitive', 'readOnly', 'filterable'] as const;

/**
 * A field in long form: either a scalar (`type:`) or a reference (`ref:`), never both. One object
 * rather than a union, so a typo like `typ:` gets a "did you mean" instead of a confusing branch error.
 */
export const fieldObject = obj({
  type: oneOf(SCALAR_TYPES, 'Field type (scalar fields).').optional(),
  ref: entityName.describe('Entity this field points to (reference fields).').optional(),
  description: text('What the field holds.').optional(),
  required: z.boolean().optional().describe('Default true (false for many-to-many references and fields with a default).'),
  many: z.boolean().optional().describe('Reference: many-to-many (a join table).'),
  onDelete: oneOf(['cascade', 'restrict', 'set-null'], 'Reference: what happens when the target is deleted (default restrict).').optional(),
  unique: z.boolean().optional().describe('No two records share this value (a unique index).'),
  default: z.union([z.string(), z.number(), z.boolean()]).optional().describe('Value used when a create omits the field; makes it optional.'),
  values: z.array(z.string()).min(1).optional().describe('Allowed values (type: enum).'),
  min: z.number().optional().describe('Smallest allowed number.'),
  max: z.number().optional().describe('Largest allowed number.'),
  minLength: z.number().int().min(0).optional().describe('Fewest characters allowed.'),
  maxLength: z.number().int().min(0).optional().describe('Most characters allowed.'),
  pattern: z.string().optional().describe('Regular expression the text must match.'),
  pii: z.boolean().optional().describe('Personal data: redacted in logs, visible only to roles allowed to see PII.'),
  sensitive: z.boolean().optional().describe('Secret or regulated data (card, health, credential).'),
  readOnly: z.boolean().optional().describe('Set by the server, never by clients.'),
  filterable: z.boolean().optional().describe('Indexed and usable as a list filter.'),
}).superRefine((f, ctx) => {
  if (f.type === undefined && f.ref === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a field needs `type:` (e.g. type: string) or `ref:` (e.g. ref: User)', path: [] });
  } else if (f.type !== undefined && f.ref !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'a field has either `type:` or `ref:`, not both', path: ['ref'] });
  } else if (f.ref !== undefined) {
    for (const k of SCALAR_ONLY) if (f[k] !== undefined) ctx.addIssue({ code: 'custom', message: `\`${k}\` does not apply to a reference field`, path: [k] });
  } else {
    for (const k of REF_ONLY) if (f[k] !== undefined) ctx.addIssue({ code: 'custom', message: `\`${k}\` applies only to reference fields (ref:)`, path: [k] });
  }
});

export const fieldDef = z.union([shorthand, fieldObject]);

export const entityId = z.union([
  oneOf(['uuid', 'serial', 'short']),
  obj({
    field: fieldName.describe('Name of the identifier field, e.g. code.'),
    type: oneOf(['uuid', 'integer', 'string'], 'Type of the identifier.'),
    generate: oneOf(['uuid', 'serial', 'short', 'client'], 'How new identifiers are made: uuid, serial number, short random code, or given by the client.'),
  }),
]);

export const entity = obj({
  description: text('What the entity stores. Fills {entity1_data}, {entity2_data}, {entity3_data}.').optional(),
  id: entityId.optional().describe('Primary identifier (default uuid). Fills {attribute3}.'),
  fields: z.record(fieldName, fieldDef).describe('Attributes. Fill {attribute1}, {attribute2}.'),
  owner: fieldName.optional().describe('Field referencing the user who owns a record (enables scope: own).'),
  softDelete: z.boolean().optional().describe('Deletes mark records deleted (deletedAt) instead of removing them.'),
  timestamps: z.boolean().optional().describe('createdAt/updatedAt managed by the server (default true).'),
});

export const dataModel = z.record(entityName, entity).describe('Entities. Keys fill {entity1}, {entity2}, {entity3}.');
