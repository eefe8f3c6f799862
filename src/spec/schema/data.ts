import { z } from 'zod';
import { obj, text, oneOf, entityName, fieldName } from '../schema-kit.ts';

export const SCALAR_TYPES = ['string', 'text', 'integer', 'number', 'decimal', 'boolean', 'timestamp', 'date', 'email', 'url', 'uuid', 'json', 'enum'] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

const shorthand = z.string().regex(/^(string|text|integer|number|decimal|boolean|timestamp|date|email|url|uuid|json)\??$/, {
  error: (iss) => `"${String(iss.input)}" is not a field type; use one of ${SCALAR_TYPES.filter((t) => t !== 'enum').join(', ')} (append ? for optional), or an object with type: or ref:`,
});

export const scalarField = obj({
  type: oneOf(SCALAR_TYPES, 'Field type.'),
  description: text().optional(),
  required: z.boolean().optional().describe('Default true.'),
  unique: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  values: z.array(z.string()).min(1).optional().describe('Allowed values (type: enum).'),
  min: z.number().optional(),
  max: z.number().optional(),
  minLength: z.number().int().min(0).optional(),
  maxLength: z.number().int().min(0).optional(),
  pattern: z.string().optional(),
  pii: z.boolean().optional().describe('Personal data: redacted in logs, visible only to roles allowed to see PII.'),
  sensitive: z.boolean().optional().describe('Secret or regulated data (card, health, credential).'),
  readOnly: z.boolean().optional().describe('Set by the server, never by clients.'),
  filterable: z.boolean().optional().describe('Indexed and usable as a list filter.'),
});

export const refField = obj({
  ref: entityName.describe('Entity this field points to.'),
  many: z.boolean().optional().describe('Many-to-many (a join table).'),
  required: z.boolean().optional(),
  onDelete: oneOf(['cascade', 'restrict', 'set-null'], 'What happens when the target is deleted (default restrict).').optional(),
  description: text().optional(),
});

export const fieldDef = z.union([shorthand, refField, scalarField]);

export const entityId = z.union([
  oneOf(['uuid', 'serial', 'short']),
  obj({ field: fieldName, type: oneOf(['uuid', 'integer', 'string']), generate: oneOf(['uuid', 'serial', 'short', 'client']) }),
]);

export const entity = obj({
  description: text('What the entity stores. Fills {entity1_data}, {entity2_data}, {entity3_data}.').optional(),
  id: entityId.optional().describe('Primary identifier (default uuid). Fills {attribute3}.'),
  fields: z.record(fieldName, fieldDef).describe('Attributes. Fill {attribute1}, {attribute2}.'),
  owner: fieldName.optional().describe('Field referencing the user who owns a record (enables scope: own).'),
  softDelete: z.boolean().optional(),
  timestamps: z.boolean().optional().describe('createdAt/updatedAt managed by the server (default true).'),
});

export const dataModel = z.record(entityName, entity).describe('Entities. Keys fill {entity1}, {entity2}, {entity3}.');
