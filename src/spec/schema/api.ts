import { z } from 'zod';
import { obj, text, unit, oneOf, componentName, eventName, name, secretRef } from '../schema-kit.ts';
import { fieldDef } from './data.ts';

export const AUTH_METHODS = ['password+jwt', 'api-key', 'oidc', 'none'] as const;

export const endpointKey = name(
  /^(GET|POST|PUT|PATCH|DELETE) \/[A-Za-z0-9_\-./{}]*$/,
  'endpoints are "METHOD /path", e.g. "GET /links/{id}"',
);

/** Who shares one budget of a rate limit, in the mapping form of `rateLimit`. */
export const RATE_LIMIT_SCOPES = ['user', 'apiKey', 'ip', 'endpoint'] as const;

/**
 * `rateLimit: 60/min` limits each caller (the API key when one is used, else the signed-in user, else
 * the client IP); the mapping sets separate limits per user, per API key, per IP and for the whole
 * endpoint, and a request must stay within all of them.
 */
export const rateLimit = z.union([
  unit('rate', 'Requests each caller may make, e.g. 30/min (the API key when one is used, else the signed-in user, else the client IP).'),
  obj({
    user: unit('rate', 'Per signed-in user, e.g. 60/min.').optional(),
    apiKey: unit('rate', 'Per API key, e.g. 600/min.').optional(),
    ip: unit('rate', 'Per client IP, e.g. 100/min.').optional(),
    endpoint: unit('rate', 'Shared by all callers of the endpoint, e.g. 1000/min.').optional(),
  }).refine((limits) => RATE_LIMIT_SCOPES.some((scope) => limits[scope] !== undefined), {
    error: `name at least one of ${RATE_LIMIT_SCOPES.join(', ')}`,
    params: { code: 'value_out_of_range' },
    // A misspelt scope is reported as an unknown field ("did you mean"); saying "name one" too would echo it.
    when: (payload) => payload.issues.length === 0,
  }).meta({ minProperties: 1 }),
]).describe('Request limit: a rate per caller (30/min), or a mapping of rates per user, apiKey, ip and for the whole endpoint.');

export const endpoint = obj({
  does: z.string().regex(/^(create|list|get|update|delete) [A-Z][A-Za-z0-9]*$/, {
    error: 'generated endpoints say "create|list|get|update|delete Entity", e.g. "create Link"',
  }).optional().describe('Generated CRUD operation.'),
  handler: z.string().optional().describe('TypeScript module for a custom endpoint, relative to the spec.'),
  summary: text('What the endpoint is for. Fills {endpoint1_purpose}, {endpoint2_purpose}.').optional(),
  roles: z.array(z.string()).optional().describe('Roles allowed to call it.'),
  public: z.boolean().optional().describe('No authentication required.'),
  signature: obj({
    header: z.string().describe('Request header carrying the signature, e.g. X-Signature.'),
    secret: secretRef.describe('Shared secret the HMAC is computed with.'),
    algorithm: oneOf(['hmac-sha256', 'hmac-sha512']).optional().describe('Default hmac-sha256.'),
  }).optional().describe('Callers (e.g. a partner\'s webhooks) prove themselves by an HMAC of the raw body instead of a user token.'),
  scope: oneOf(['own', 'all'], 'own: callers see and change only their records.').optional(),
  query: z.record(z.string(), fieldDef).optional().describe('Query parameters. Fill {param1}, {param2}.'),
  body: z.record(z.string(), fieldDef).optional().describe('Request body fields of a custom endpoint.'),
  returns: text('What it returns. Fills {return_data}; derived for generated endpoints.').optional(),
  cache: unit('duration', 'Cache the response for this long.').optional(),
  rateLimit: rateLimit.optional(),
  idempotent: z.boolean().optional().describe('Accepts an Idempotency-Key header (POST).'),
  emits: z.array(eventName).optional().describe('Events this endpoint emits (written to the outbox with the change).'),
  component: componentName.optional().describe('Component serving it (default: the owner of its entity).'),
  operation: z.string().optional().describe('Operation type for latency targets (default: read for GET, write otherwise).'),
});

export const auth = obj({
  method: oneOf(AUTH_METHODS, 'How callers authenticate. Fills {auth_method} and {auth_protocol}.'),
  apiKeys: z.boolean().optional().describe('Also accept API keys (hashed, scoped to roles).'),
  accessTtl: unit('duration', 'Access token lifetime. Part of {auth_detail}.').optional(),
  refreshTtl: unit('duration', 'Refresh token lifetime (rotating, reuse detected).').optional(),
  userEntity: z.string().optional().describe('Entity holding accounts (default User).'),
  oidc: obj({
    issuer: z.string().describe('Issuer URL tokens must carry (iss).'),
    audience: z.string().describe('Audience tokens must carry (aud).'),
    jwksUrl: z.string().optional().describe('JWKS URL (default: discovered from the issuer).'),
  }).optional().describe('OpenID Connect issuer whose JWTs are accepted (method: oidc).'),
  loginLimit: unit('rate', 'Login attempts allowed per account and IP, e.g. 5/min.').optional(),
  mfa: z.boolean().optional().describe('Require a second factor at login.'),
});

export const api = obj({
  basePath: z.string().regex(/^(\/[a-z0-9-]+)*$/).optional().describe('Prefix for every endpoint, e.g. /api/v1.'),
  bodyLimit: unit('size', 'Largest request body accepted, e.g. 1MiB (default 1MiB); larger bodies get 413.').optional(),
  auth: auth.describe('Authentication of callers.'),
  endpoints: z.record(endpointKey, endpoint).describe('Endpoints. Keys fill {endpoint1}, {endpoint2}.'),
});
