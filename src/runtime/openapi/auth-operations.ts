import type { SystemModel } from '../../model/system-model.ts';
import type { Components, JsonSchema } from './openapi-components.ts';
import { securitySchemeNames } from './openapi-operations.ts';

/**
 * The auth routes (auth/auth-routes.ts) as OpenAPI paths, relative to the API base path: sign-in,
 * token refresh and logout under `password+jwt`; API key creation and revocation when API keys
 * are on. Their shapes mirror the schemas those routes validate with; a test compares the two.
 */

const TAG = 'auth';
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const body = (properties: Record<string, JsonSchema>, required: string[]) => ({
  required: true,
  content: json({ type: 'object', additionalProperties: false, required, properties }),
});
const SECRET = { type: 'string', minLength: 1, maxLength: 200 };

/** The auth paths for `model`, keyed by path; empty when the API has no sign-in and no API keys. */
export function authPaths(model: SystemModel, components: Components): Record<string, Record<string, JsonSchema>> {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const { method, apiKeys, loginLimit } = model.api.auth;
  const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), components.problem(s)]));

  if (method === 'password+jwt') {
    const tokens = { description: 'A new access token and refresh token.', content: json(tokensSchema(components)) };
    paths['/auth/login'] = {
      post: {
        operationId: 'login', tags: [TAG], summary: 'Sign in with email and password',
        description: `Answers an access token (send it as \`Authorization: Bearer <token>\`) and a refresh token.${loginLimit ? ` Failed sign-ins are limited to ${loginLimit.text} per account and address (429 after that).` : ''}`,
        requestBody: body({ email: { type: 'string', minLength: 1, maxLength: 320 }, password: { type: 'string', minLength: 1, maxLength: 1024, format: 'password', writeOnly: true } }, ['email', 'password']),
        responses: { 200: tokens, ...problems(400, 401, 422, ...(loginLimit ? [429] : [])) },
        security: [],
      },
    };
    paths['/auth/refresh'] = {
      post: {
        operationId: 'refreshTokens', tags: [TAG], summary: 'Exchange a refresh token for new tokens',
        description: 'The refresh token is single-use: the answer carries its successor. Presenting a used one again revokes the whole session (reuse detection).',
        requestBody: body({ refreshToken: SECRET }, ['refreshToken']),
        responses: { 200: tokens, ...problems(400, 401, 422) },
        security: [],
      },
    };
    paths['/auth/logout'] = {
      post: {
        operationId: 'logout', tags: [TAG], summary: 'Revoke this session, or every session of the account',
        description: 'With `all: true`, every session of the account ends.',
        requestBody: body({ refreshToken: SECRET, all: { type: 'boolean' } }, ['refreshToken']),
        responses: { 204: { description: 'The session is revoked.' }, ...problems(400, 401, 422) },
        security: [],
      },
    };
  }

  if (apiKeys || method === 'api-key') {
    // API keys cannot mint API keys: creating one needs a signed-in person (a bearer token) when there is one.
    const signedIn = securitySchemeNames(model).filter((name) => name === 'bearerAuth');
    const security = (signedIn.length ? signedIn : securitySchemeNames(model)).map((name) => ({ [name]: [] }));
    paths['/auth/api-keys'] = {
      post: {
        operationId: 'createApiKey', tags: [TAG], summary: 'Create an API key',
        description: 'The key is shown only in this answer; send it as `X-API-Key`. It carries the requested roles (default: all of yours), never roles you do not hold.',
        requestBody: body({ name: { type: 'string', minLength: 1, maxLength: 100 }, roles: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } } }, []),
        responses: {
          201: {
            description: 'The new key.',
            content: json({
              type: 'object', required: ['id', 'key', 'roles'],
              properties: { id: { type: 'string' }, key: { type: 'string', description: '`ak_<id>_<secret>`: store it now, it cannot be shown again.' }, roles: { type: 'array', items: { type: 'string' } }, name: { type: 'string' } },
            }),
          },
          ...problems(400, 401, 403, 422),
        },
        security,
      },
    };
    paths['/auth/api-keys/{id}'] = {
      delete: {
        operationId: 'revokeApiKey', tags: [TAG], summary: 'Revoke an API key',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$' }, description: 'The key id.' }],
        responses: { 204: { description: 'The key no longer works.' }, ...problems(401, 403, 404, 422) },
        security: securitySchemeNames(model).map((name) => ({ [name]: [] })),
      },
    };
  }
  return paths;
}

function tokensSchema(components: Components): JsonSchema {
  return components.schema('Tokens', () => ({
    type: 'object',
    required: ['accessToken', 'refreshToken', 'tokenType', 'expiresIn'],
    properties: {
      accessToken: { type: 'string', description: 'Send as `Authorization: Bearer <accessToken>`.' },
      refreshToken: { type: 'string', description: 'Single-use; exchange at /auth/refresh for new tokens.' },
      tokenType: { type: 'string', enum: ['Bearer'] },
      expiresIn: { type: 'integer', description: 'Seconds until the access token expires.' },
    },
  }));
}
