import type { Entity, Field, SystemModel } from '../../../model/system-model.ts';
import type { Row } from '../../../adapters/storage/storage.ts';
import { fieldSchema, validatorCompiler } from '../../validation.ts';

/**
 * Anonymization of a kept record's personal fields: an optional field becomes null; a required one
 * gets a neutral value that still passes the field's own validation (type, format, length, pattern,
 * enum), so the record stays readable and editable through the API. Unique fields get a value
 * derived from the record id (`erased-<id>@invalid.example`), so two erased records never collide.
 * `invalid.example` is reserved (RFC 2606/6761): mail to it can reach nobody.
 */

/** Which personal fields to clear: all `pii` ones, or those not also `sensitive` (kept under a retention rule). */
export type Anonymization = 'all-pii' | 'pii-not-sensitive';

/** The fields of `entity` that `mode` clears. */
export function fieldsToAnonymize(entity: Entity, mode: Anonymization): Field[] {
  return entity.fields.filter((f) => f.pii && f.type !== 'ref' && (mode === 'all-pii' || !f.sensitive));
}

/**
 * The patch anonymizing `record`: only fields whose value is not already the neutral one, so a
 * second erasure changes nothing. `unvalidated` names fields for which no neutral value passes the
 * field's validation (the first candidate is written anyway: personal data must go).
 */
export function anonymizingPatch(model: SystemModel, entity: Entity, record: Row, mode: Anonymization): { patch: Row; unvalidated: string[] } {
  const patch: Row = {};
  const unvalidated: string[] = [];
  const id = String(record[entity.id.field]);
  for (const field of fieldsToAnonymize(entity, mode)) {
    const neutral = field.required ? neutralValue(model, field, id) : { value: null, valid: true };
    if (!neutral.valid) unvalidated.push(field.name);
    if (JSON.stringify(record[field.name] ?? null) !== JSON.stringify(neutral.value)) patch[field.name] = neutral.value;
  }
  return { patch, unvalidated };
}

/** Compiled validators per model field (fields are frozen model objects). */
const validators = new WeakMap<Field, (value: unknown) => boolean>();

/** A neutral value for a required field: the first candidate its schema accepts. */
export function neutralValue(model: SystemModel, field: Field, id: string): { value: unknown; valid: boolean } {
  const candidates = candidatesFor(field, safeId(id));
  let validate = validators.get(field);
  if (!validate) {
    validate = validatorCompiler({ schema: fieldSchema(model, field), httpPart: 'body', method: 'POST', url: '/' }) as unknown as (value: unknown) => boolean;
    validators.set(field, validate);
  }
  const valid = candidates.find((c) => validate(c));
  return valid !== undefined ? { value: valid, valid: true } : { value: candidates[0], valid: false };
}

/** The id as it may appear in a marker (letters, digits, dashes), at most 40 characters. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40);
}

function candidatesFor(field: Field, id: string): unknown[] {
  const byDefault = field.default !== undefined && !field.unique ? [field.default] : [];
  const fitted = (text: string) => fitLength(text, field.minLength, field.maxLength);
  switch (field.type) {
    case 'email':
      return [`erased-${id}@invalid.example`, `e-${id.slice(0, 8)}@invalid.example`, 'erased@invalid.example'];
    case 'url':
      return [`https://invalid.example/erased/${id}`, 'https://invalid.example/'];
    case 'string':
    case 'text': {
      const texts = field.unique ? [`erased-${id}`, id] : [...byDefault, 'erased', `erased-${id}`];
      return [...texts.map((t) => (typeof t === 'string' ? fitted(t) : t)), 'ERASED', 'x', '0', '0000000000'];
    }
    case 'enum':
      return [...byDefault, ...(field.values ?? [])];
    case 'integer':
    case 'number':
      return [...byDefault, clamp(0, field.min, field.max)];
    case 'decimal':
      return [...byDefault, String(clamp(0, field.min, field.max))];
    case 'boolean':
      return [...byDefault, false];
    case 'date':
      return ['1900-01-01'];
    case 'timestamp':
      return ['1970-01-01T00:00:00.000Z'];
    case 'uuid':
      return ['00000000-0000-0000-0000-000000000000'];
    case 'json':
      return [{}];
    default:
      return ['erased'];
  }
}

function fitLength(text: string, min = 0, max = Number.POSITIVE_INFINITY): string {
  const padded = text.length < min ? text + '-'.repeat(min - text.length) : text;
  return padded.length > max ? padded.slice(0, max) : padded;
}

function clamp(value: number, min?: number, max?: number): number {
  return Math.min(max ?? value, Math.max(min ?? value, value));
}
