import type { z } from 'zod';
import type { fieldDef, ScalarType } from '../../spec/schema/index.ts';

/** A field definition in its one long form, whatever shorthand the user wrote. */
export interface FieldDefinition {
  type: ScalarType | 'ref';
  description?: string;
  required: boolean;
  unique: boolean;
  default?: string | number | boolean;
  values?: string[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  pii: boolean;
  sensitive: boolean;
  readOnly: boolean;
  filterable: boolean;
  ref?: { entity: string; many: boolean; onDelete: 'cascade' | 'restrict' | 'set-null' };
}

/** Expands `email`, `string?`, `{ ref: User }` and `{ type: ... }` into a {@link FieldDefinition}. */
export function parseFieldDef(raw: z.output<typeof fieldDef>): FieldDefinition {
  const flags = { unique: false, pii: false, sensitive: false, readOnly: false, filterable: false };
  if (typeof raw === 'string') {
    const optional = raw.endsWith('?');
    return { type: raw.replace(/\?$/, '') as ScalarType, required: !optional, ...flags };
  }
  if (raw.ref !== undefined) {
    return {
      type: 'ref',
      description: raw.description,
      required: raw.required ?? !raw.many,
      ...flags,
      filterable: !raw.many,
      ref: { entity: raw.ref, many: raw.many ?? false, onDelete: raw.onDelete ?? 'restrict' },
    };
  }
  const { type, ref: _ref, many: _many, onDelete: _onDelete, required, unique, pii, sensitive, readOnly, filterable, ...rest } = raw;
  return {
    ...rest,
    type: type ?? 'string',
    required: required ?? raw.default === undefined,
    unique: unique ?? false,
    pii: pii ?? false,
    sensitive: sensitive ?? false,
    readOnly: readOnly ?? false,
    filterable: filterable ?? false,
  };
}
