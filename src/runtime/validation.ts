import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { Entity, Field, SystemModel } from '../model/system-model.ts';
import type { InvalidParam } from './api-error.ts';

/**
 * Input validation from the model: JSON Schemas generated from field definitions, compiled by two
 * ajv instances (request bodies are never coerced; query strings and path parameters are, since
 * they arrive as text), and ajv errors mapped to JSON pointers for problem+json.
 */

type JsonSchema = Record<string, unknown>;

// ajv-formats is CommonJS; under ESM its function arrives either directly or as `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

/** A decimal written as text: optional sign, digits, optional fraction. */
export const DECIMAL_PATTERN = '^-?\\d+(\\.\\d+)?$';

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: false, removeAdditional: false, strict: false });
  addFormats(ajv);
  return ajv;
}

const bodyAjv = newAjv(false);
const textAjv = newAjv(true);

/** Fastify validator compiler: bodies validated strictly, querystring/params/headers with type coercion. */
export const validatorCompiler: FastifySchemaCompiler<JsonSchema> = ({ schema, httpPart }) => {
  const validate: ValidateFunction = (httpPart === 'body' ? bodyAjv : textAjv).compile(schema);
  return validate as ReturnType<FastifySchemaCompiler<JsonSchema>>;
};

/** The JSON Schema of an entity id (the type of reference fields pointing at it). */
export function idSchema(entity: Entity): JsonSchema {
  if (entity.id.type === 'integer') return { type: 'integer', minimum: 1 };
  if (entity.id.type === 'uuid') return { type: 'string', format: 'uuid' };
  return { type: 'string', minLength: 1, maxLength: 200 };
}

/** The JSON Schema of one field's value (without nullability). */
export function fieldSchema(model: SystemModel, field: Field): JsonSchema {
  if (field.type === 'ref') {
    const target = model.entities.find((e) => e.name === field.ref?.entity);
    const one = target ? idSchema(target) : { type: ['string', 'integer'] };
    return field.ref?.many ? { type: 'array', items: one, uniqueItems: true, maxItems: 1000 } : one;
  }
  const bounds: JsonSchema = {
    ...(field.min !== undefined ? { minimum: field.min } : {}),
    ...(field.max !== undefined ? { maximum: field.max } : {}),
    ...(field.minLength !== undefined ? { minLength: field.minLength } : {}),
    ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}),
    ...(field.pattern !== undefined ? { pattern: field.pattern } : {}),
  };
  const byType: Record<Exclude<Field['type'], 'ref'>, () => JsonSchema> = {
    string: () => ({ type: 'string', ...bounds }),
    text: () => ({ type: 'string', ...bounds }),
    integer: () => ({ type: 'integer', ...bounds }),
    number: () => ({ type: 'number', ...bounds }),
    // A decimal travels as a string ("12.34") so no amount passes through a binary float; numbers are accepted too.
    decimal: () => ({ anyOf: [{ type: 'string', pattern: DECIMAL_PATTERN, maxLength: 40 }, { type: 'number', ...bounds }] }),
    boolean: () => ({ type: 'boolean' }),
    timestamp: () => ({ type: 'string', format: 'date-time' }),
    date: () => ({ type: 'string', format: 'date' }),
    email: () => ({ type: 'string', format: 'email', maxLength: field.maxLength ?? 254 }),
    url: () => ({ type: 'string', format: 'uri', pattern: '^https?://', maxLength: field.maxLength ?? 2048 }),
    uuid: () => ({ type: 'string', format: 'uuid' }),
    json: () => ({}),
    enum: () => ({ type: 'string', enum: field.values ?? [] }),
  };
  return byType[field.type]();
}

/** The field's schema, accepting null when the field is optional. */
export function nullableFieldSchema(model: SystemModel, field: Field): JsonSchema {
  const schema = fieldSchema(model, field);
  return field.required ? schema : { anyOf: [schema, { type: 'null' }] };
}

/** An object schema: the given fields as properties, nothing else allowed. */
export function objectSchema(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}

/** Where an ajv error points, as a JSON pointer (missing and extra properties point at the property itself). */
function pointerOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const child = error.keyword === 'required' ? params.missingProperty : error.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  const escaped = child?.replace(/~/g, '~0').replace(/\//g, '~1');
  return escaped === undefined ? error.instancePath : `${error.instancePath}/${escaped}`;
}

function detailOf(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'anyOf') return 'has the wrong type';
  if (error.keyword === 'additionalProperties') return 'is not a known field';
  if (error.keyword === 'enum') return `must be one of ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')}`;
  if (error.keyword === 'pattern' && (error.params as { pattern?: string }).pattern === '^https?://') return 'must be an http or https URL';
  return error.message ?? 'is invalid';
}

/**
 * Maps ajv errors to problem+json entries. Body errors point into the body (`/email`); other parts
 * are prefixed with the part (`/query/limit`, `/params/code`). anyOf branches collapse to one entry.
 */
export function invalidParams(errors: readonly ErrorObject[], part: string): InvalidParam[] {
  const prefix = part === 'body' ? '' : `/${part === 'querystring' ? 'query' : part}`;
  const rank = (e: ErrorObject) => (e.keyword === 'anyOf' ? 2 : e.keyword === 'type' ? 1 : 0);
  const best = new Map<string, ErrorObject>();
  for (const error of errors) {
    const pointer = `${prefix}${pointerOf(error)}` || '/';
    const seen = best.get(pointer);
    if (!seen || rank(error) < rank(seen)) best.set(pointer, error);
  }
  return [...best].map(([pointer, error]) => ({ pointer, detail: detailOf(error) }));
}
