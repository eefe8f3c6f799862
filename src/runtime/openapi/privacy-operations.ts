import type { SystemModel } from '../../model/system-model.ts';
import { entityOf } from '../../adapters/storage/storage.ts';
import { erasableEntity, privacyRoutes, type PrivacyRoute } from '../data/privacy/privacy-paths.ts';
import { idSchema } from '../validation.ts';
import type { Components, JsonSchema } from './openapi-components.ts';
import { securitySchemeNames } from './openapi-operations.ts';

/**
 * The personal-data routes (data/privacy/privacy-routes.ts) as OpenAPI paths, relative to the API
 * base path: present when the spec has an `erasable` rule. A test registers those routes and
 * compares their parameters with these.
 */

const TAG = 'privacy';

/** The personal-data paths of `model`, keyed by path; empty without an `erasable` rule. */
export function privacyPaths(model: SystemModel, components: Components): Record<string, Record<string, JsonSchema>> {
  const subjectName = erasableEntity(model);
  if (!subjectName) return {};
  const subject = entityOf(model, subjectName);
  const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), components.problem(s)]));
  const everyScheme = securitySchemeNames(model).map((name) => ({ [name]: [] }));
  const bearer = securitySchemeNames(model).filter((n) => n === 'bearerAuth').map((name) => ({ [name]: [] }));
  const idParam = { name: 'id', in: 'path', required: true, schema: idSchema(subject), description: `The ${subject.name} id of the data subject.` };
  const exported = { description: 'The export, as a JSON file (`Content-Disposition: attachment`).', content: { 'application/json': { schema: exportSchema(components, subject.name) } } };
  const erased = { description: 'What the erasure deleted, anonymized and kept, per entity.', content: { 'application/json': { schema: summarySchema(components) } } };
  const who = `Allowed to roles that may delete every ${subject.name} (\`${subject.name}:delete\`, \`${subject.name}:*\` or \`"*"\`).`;

  const operations: Record<PrivacyRoute['operationId'], JsonSchema> = {
    privacyExportMine: {
      summary: 'Download all personal data stored about the signed-in account (GDPR Art. 15, 20)',
      description: `The account record and every record belonging to it (owned, or owned through a parent), soft-deleted ones included, with their personal fields; records of others that reference the account without theirs. Never passwords, tokens or API keys. Needs a signed-in person (an API key is refused).`,
      responses: { 200: exported, ...problems(401, 403, 404) }, security: bearer,
    },
    privacyEraseMine: {
      summary: 'Erase the signed-in account and its personal data (GDPR Art. 17)',
      description: `Deletes the account's records, except those a retention rule keeps (their personal fields are anonymized) and those records that stay depend on (anonymized). The account cannot sign in afterwards. Needs a signed-in person (an API key is refused).`,
      responses: { 200: erased, ...problems(401, 403, 404, 409) }, security: bearer,
    },
    privacyExportSubject: {
      summary: 'Download all personal data stored about one data subject',
      description: `As \`GET /privacy/export\`, for the ${subject.name} named in the path. ${who}`,
      parameters: [idParam], responses: { 200: exported, ...problems(401, 403, 404, 422) }, security: everyScheme,
    },
    privacyEraseSubject: {
      summary: "Erase one data subject's account and personal data",
      description: `As \`POST /privacy/erase\`, for the ${subject.name} named in the path. ${who}`,
      parameters: [idParam], responses: { 200: erased, ...problems(401, 403, 404, 409, 422) }, security: everyScheme,
    },
  };
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of privacyRoutes(model)) {
    (paths[route.route] ??= {})[route.method.toLowerCase()] = { operationId: route.operationId, tags: [TAG], ...operations[route.operationId] };
  }
  return paths;
}

function exportSchema(components: Components, subject: string): JsonSchema {
  const byEntity = { type: 'object', additionalProperties: { type: 'array', items: { type: 'object' } } };
  return components.schema('PersonalDataExport', () => ({
    type: 'object',
    required: ['subject', 'exportedAt', 'records', 'referencing', 'omitted', 'truncated', 'limitPerEntity'],
    properties: {
      subject: { type: 'object', properties: { entity: { type: 'string', const: subject }, id: { type: 'string' } } },
      exportedAt: { type: 'string', format: 'date-time' },
      records: { ...byEntity, description: "The subject's records by entity, personal fields included." },
      referencing: { ...byEntity, description: 'Records of others that reference the subject, without their personal fields.' },
      omitted: { type: 'array', description: 'Fields left out and why.', items: { type: 'object', properties: { group: { type: 'string', enum: ['records', 'referencing'] }, entity: { type: 'string' }, fields: { type: 'array', items: { type: 'string' } }, why: { type: 'string' } } } },
      truncated: { type: 'array', items: { type: 'string' }, description: 'Entities with more records than `limitPerEntity`: the export holds the first ones only.' },
      limitPerEntity: { type: 'integer' },
    },
  }));
}

function summarySchema(components: Components): JsonSchema {
  return components.schema('ErasureSummary', () => ({
    type: 'object',
    required: ['subject', 'erasedAt', 'subjectRecord', 'entities', 'credentialsRemoved', 'notes'],
    properties: {
      subject: { type: 'object', properties: { entity: { type: 'string' }, id: { type: 'string' } } },
      erasedAt: { type: 'string', format: 'date-time' },
      subjectRecord: { type: 'string', enum: ['deleted', 'anonymized'], description: 'Anonymized when records that stay still reference it.' },
      entities: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: {
            deleted: { type: 'integer' }, kept: { type: 'integer' }, anonymized: { type: 'integer' },
            keptBecause: { type: 'array', items: { type: 'string' }, description: 'Why records stay: the retention rule, or the records that depend on them.' },
          },
        },
      },
      credentialsRemoved: { type: 'boolean', description: 'Password removed, refresh tokens and API keys revoked.' },
      notes: { type: 'array', items: { type: 'string' } },
    },
  }));
}
