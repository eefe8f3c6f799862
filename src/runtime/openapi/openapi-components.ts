import type { Entity, Field, SystemModel } from '../../model/system-model.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import { API_ERRORS, type ApiErrorCode } from '../api-error.ts';
import { fieldSchema, idSchema, nullableFieldSchema } from '../validation.ts';

/**
 * The `components` of the OpenAPI document, added only when an operation uses them (so the
 * document has no unused component): entity schemas, the RFC 9457 Problem schema and its
 * responses, and the ETag/Location headers.
 */

/** A JSON Schema or OpenAPI object, as plain data. */
export type JsonSchema = Record<string, unknown>;

/** The standard problem responses, by status, with the codes the pipeline answers under each. */
const PROBLEMS: Record<number, { name: string; description: string; codes: ApiErrorCode[] }> = {
  400: { name: 'BadRequest', description: 'The request is malformed (e.g. the body is not JSON).', codes: ['bad_request'] },
  401: { name: 'Unauthenticated', description: 'No valid credentials: sign in and send the access token, or an API key.', codes: ['unauthenticated', 'invalid_token', 'invalid_credentials'] },
  403: { name: 'Forbidden', description: 'The caller is signed in but none of its roles may do this.', codes: ['forbidden'] },
  404: { name: 'NotFound', description: "No such record, or one the caller may not see (another user's records are not found, never forbidden).", codes: ['not_found'] },
  409: { name: 'Conflict', description: 'The change conflicts with stored data: a unique value is taken, or other records still refer to this one.', codes: ['conflict'] },
  412: { name: 'PreconditionFailed', description: 'If-Match names an older version: someone changed the record since it was read. GET it again and retry.', codes: ['precondition_failed'] },
  413: { name: 'PayloadTooLarge', description: 'The request body is larger than this API accepts.', codes: ['payload_too_large'] },
  422: { name: 'ValidationFailed', description: 'Input does not fit the model: `errors` points at each invalid, unknown or read-only field.', codes: ['validation_failed', 'unknown_field', 'read_only_field'] },
  428: { name: 'PreconditionRequired', description: 'Updates need If-Match with the ETag of the record as read.', codes: ['precondition_required'] },
  429: { name: 'TooManyRequests', description: 'Rate limit exceeded; retry after the number of seconds in Retry-After.', codes: ['too_many_requests'] },
};

/** The components of one document, filled as operations refer to them. */
export class Components {
  readonly schemas: Record<string, JsonSchema> = {};
  readonly responses: Record<string, JsonSchema> = {};
  readonly headers: Record<string, JsonSchema> = {};

  constructor(private readonly model: SystemModel) {}

  /** `$ref` to schema `name`, built by `build` the first time (entities refer to each other, so the name is taken first). */
  schema(name: string, build: () => JsonSchema): JsonSchema {
    if (!this.schemas[name]) {
      this.schemas[name] = {};
      this.schemas[name] = build();
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  /** A `$ref` to `name` when that schema exists with exactly this content or is free; else the schema inline. */
  shared(name: string, schema: JsonSchema): JsonSchema {
    const existing = this.schemas[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) return schema;
    return this.schema(name, () => schema);
  }

  /** The record of `entity` as responses carry it. */
  entity(entity: Entity): JsonSchema {
    return this.schema(entity.name, () => this.entitySchema(entity));
  }

  /** A page of a list response. */
  page(entity: Entity): JsonSchema {
    return this.schema(`${entity.name}Page`, () => ({
      type: 'object',
      description: `One page of ${entity.name} records. Pass \`nextCursor\` as \`cursor\` for the next page; it is absent on the last page.`,
      required: ['items'],
      properties: {
        items: { type: 'array', items: this.entity(entity) },
        nextCursor: { type: 'string', description: 'Opaque cursor of the next page.' },
        total: { type: 'integer', minimum: 0, description: 'Number of matching records (only with `count=true`).' },
      },
    }));
  }

  /** `$ref` to the problem response for `status`, or an inline one for statuses outside the standard set. */
  problem(status: number, description?: string): JsonSchema {
    const known = PROBLEMS[status];
    const problem = this.schema('Problem', problemSchema);
    const content = { 'application/problem+json': { schema: problem } };
    if (!known || description) return { description: description ?? `Error ${status} (problem+json).`, content };
    if (!this.responses[known.name]) {
      const retry = status === 429 ? { headers: { 'Retry-After': this.header('RetryAfter', { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } }) } } : {};
      this.responses[known.name] = { description: `${known.description} Codes: ${known.codes.join(', ')}.`, ...retry, content };
    }
    return { $ref: `#/components/responses/${known.name}` };
  }

  /** `$ref` to the response header `name`. */
  header(name: string, definition: JsonSchema): JsonSchema {
    this.headers[name] ??= definition;
    return { $ref: `#/components/headers/${name}` };
  }

  /** The ETag response header of a record. */
  etag(): JsonSchema {
    return this.header('ETag', { description: 'Version of the record (`W/"<version>"`); send it back in If-Match to update or delete.', schema: { type: 'string' } });
  }

  private entitySchema(entity: Entity): JsonSchema {
    const properties: Record<string, JsonSchema> = { [entity.id.field]: { ...idSchema(entity), readOnly: true, description: `Identifier of the ${entity.name}.` } };
    for (const field of entity.fields) properties[field.name] = this.fieldProperty(entity, field);
    properties.version = { type: 'integer', minimum: 1, readOnly: true, description: 'Starts at 1 and grows by one with every update (the ETag).' };
    if (entity.timestamps) {
      properties.createdAt = { type: 'string', format: 'date-time', readOnly: true };
      properties.updatedAt = { type: 'string', format: 'date-time', readOnly: true };
    }
    if (entity.softDelete) properties.deletedAt = { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }], readOnly: true, description: 'When the record was deleted (soft delete).' };
    return {
      type: 'object',
      ...(entity.description ? { description: entity.description } : {}),
      required: [entity.id.field],
      properties,
    };
  }

  private fieldProperty(entity: Entity, field: Field): JsonSchema {
    const notes = [
      field.description,
      field.pii || field.sensitive ? `${field.pii ? 'Personal' : 'Sensitive'} data: present only for the record's owner and roles ${this.model.security.piiRoles.join(', ') || '(none)'}.` : undefined,
      entity.owner === field.name ? 'Set to the signed-in caller on create.' : undefined,
    ].filter(Boolean);
    const base: JsonSchema = field.readOnly ? { readOnly: true } : {};
    if (notes.length) base.description = notes.join(' ');
    if (field.type !== 'ref' || !field.ref || field.ref.many) return { ...nullableFieldSchema(this.model, field), ...base };
    const target = entityOf(this.model, field.ref.entity);
    const variants = [idSchema(target), this.entity(target), ...(field.required ? [] : [{ type: 'null' }])];
    return { anyOf: variants, ...base, description: [`The ${target.name}'s ${target.id.field}, or the ${target.name} itself when listed in \`expand\`.`, ...notes].join(' ') };
  }
}

/** The problem+json body (RFC 9457) every error answer carries. */
function problemSchema(): JsonSchema {
  return {
    type: 'object',
    description: 'An error, as RFC 9457 problem details. `code` is stable: match on it, not on `title` or `detail`.',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string', format: 'uri-reference', description: 'Identifies the problem type.' },
      title: { type: 'string', description: 'Short summary of the problem type.' },
      status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status code.' },
      code: { type: 'string', enum: Object.keys(API_ERRORS), description: 'Stable machine-readable error code.' },
      detail: { type: 'string', description: 'What went wrong in this occurrence, and what to do.' },
      instance: { type: 'string', format: 'uri-reference', description: 'The request path.' },
      errors: {
        type: 'array',
        description: 'Each invalid input, for validation problems.',
        items: {
          type: 'object',
          required: ['pointer', 'detail'],
          properties: {
            pointer: { type: 'string', description: 'JSON pointer to the input (`/email`, `/query/limit`).' },
            detail: { type: 'string' },
          },
        },
      },
    },
  };
}

/** The schema of a query parameter for `field` (never nullable: an absent parameter means no value). */
export function parameterSchema(model: SystemModel, field: Field): JsonSchema {
  return fieldSchema(model, field.ref ? { ...field, ref: { ...field.ref, many: false } } : field);
}
