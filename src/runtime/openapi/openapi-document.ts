import type { Endpoint, SystemModel } from '../../model/system-model.ts';
import { authPaths } from './auth-operations.ts';
import { privacyPaths } from './privacy-operations.ts';
import { Components, type JsonSchema } from './openapi-components.ts';
import { endpointOperation, securitySchemeNames } from './openapi-operations.ts';

/**
 * The OpenAPI 3.1 description of the API a spec defines, built from the model alone: every
 * endpoint under the base path (the document's server), the auth routes, component schemas per
 * entity, the RFC 9457 Problem schema and the security schemes.
 *
 * @example
 * const doc = openApiDocument(model); // { openapi: '3.1.0', info: { title: 'Linkly', ... }, paths: { '/links': ... } }
 */

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  /** Origin the API is reached at (`https://api.example.com`); default: relative to the document. */
  origin?: string;
  /** `info.version` (default `1.0.0`). */
  version?: string;
  /** List the auth routes (default true; false for a component process that does not serve them, see `serve --component`). */
  authRoutes?: boolean;
  /** List the personal-data routes (default true; false for a component process that does not serve them). */
  privacyRoutes?: boolean;
}

/** Builds the document. Pure: the same model gives the same document. */
export function openApiDocument(model: SystemModel, options: OpenApiOptions = {}): Record<string, unknown> {
  const components = new Components(model);
  const ids = operationIds(model.api.endpoints);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Map<string, string>();
  for (const endpoint of model.api.endpoints) {
    const tag = tagOf(model, endpoint, tags);
    (paths[endpoint.route] ??= {})[endpoint.method.toLowerCase()] = endpointOperation(model, components, endpoint, ids.get(endpoint.key)!, tag);
  }
  const auth = options.authRoutes === false ? {} : authPaths(model, components);
  if (Object.keys(auth).length) tags.set('auth', 'Sign-in, tokens and API keys.');
  Object.assign(paths, auth);
  const privacy = options.privacyRoutes === false ? {} : privacyPaths(model, components);
  if (Object.keys(privacy).length) tags.set('privacy', 'Personal-data export and erasure (GDPR Art. 15, 17, 20).');
  Object.assign(paths, privacy);

  const schemes = securitySchemes(model);
  const server = `${options.origin?.replace(/\/+$/, '') ?? ''}${model.api.basePath}` || '/';
  return {
    openapi: '3.1.0',
    info: {
      title: model.system.name,
      version: options.version ?? '1.0.0',
      summary: `${model.system.type}: ${model.system.purpose}`,
      description: introduction(model),
    },
    servers: [{ url: server, description: 'This server' }],
    tags: [...tags].map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: components.schemas,
      ...(Object.keys(components.responses).length ? { responses: components.responses } : {}),
      ...(Object.keys(components.headers).length ? { headers: components.headers } : {}),
      ...(Object.keys(schemes).length ? { securitySchemes: schemes } : {}),
    },
  };
}

function securitySchemes(model: SystemModel): Record<string, JsonSchema> {
  const { method, oidc } = model.api.auth;
  const schemes: Record<string, JsonSchema> = {};
  for (const name of securitySchemeNames(model)) {
    schemes[name] = name === 'bearerAuth'
      ? { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: method === 'oidc' && oidc ? `A JWT issued by ${oidc.issuer} for audience ${oidc.audience}.` : 'The access token from /auth/login or /auth/refresh.' }
      : { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key from POST /auth/api-keys.' };
  }
  return schemes;
}

function introduction(model: SystemModel): string {
  const { method } = model.api.auth;
  const steps = method === 'password+jwt'
    ? `To try it here: create an account with the public \`POST\` on the ${model.api.auth.userEntity} collection, sign in with \`POST /auth/login\`, then press **Authorize** and paste the \`accessToken\`.`
    : method === 'oidc' ? 'Send a bearer token from the identity provider.' : method === 'api-key' ? 'Send an API key as `X-API-Key`.' : 'Every endpoint is public.';
  return [
    'Bodies are JSON. Errors are `application/problem+json` (RFC 9457) with a stable `code`. Lists are paged with `limit` and `cursor` and answer `{ items, nextCursor?, total? }`. Records carry a `version` and an ETag: updates need `If-Match`.',
    steps,
  ].join('\n\n');
}

/** The tag of an endpoint (its entity, or the component serving a custom handler), recorded with a description. */
function tagOf(model: SystemModel, endpoint: Endpoint, tags: Map<string, string>): string {
  if (endpoint.operation !== 'custom' && endpoint.entity) {
    const entity = model.entities.find((e) => e.name === endpoint.entity);
    if (!tags.has(endpoint.entity)) tags.set(endpoint.entity, entity?.description ? `${entity.description[0]?.toUpperCase()}${entity.description.slice(1)}.` : `${endpoint.entity} records.`);
    return endpoint.entity;
  }
  const component = model.architecture.components.find((c) => c.name === endpoint.component);
  const name = component?.name ?? 'handlers';
  if (!tags.has(name)) tags.set(name, component ? `Custom endpoints of ${component.name}: ${component.purpose}.` : 'Custom endpoints served by handlers.');
  return name;
}

/**
 * Unique operation ids: `<operation><Entity>` for generated endpoints (`listLink`), the handler's
 * file name in camel case for custom ones (`./handlers/place-order.ts` -> `placeOrder`); clashes
 * take the path's words (`listVisitNoteViaAppointmentsNotes`), then a number.
 */
export function operationIds(endpoints: readonly Endpoint[]): Map<string, string> {
  const words = (ep: Endpoint) => ep.route.split('/').filter((s) => s && !s.startsWith('{')).map(capital).join('');
  const base = (ep: Endpoint) => ep.operation !== 'custom' && ep.entity
    ? `${ep.operation}${ep.entity}`
    : camel(ep.handler?.replace(/^.*\//, '').replace(/\.[a-z]+$/, '') ?? `${ep.method.toLowerCase()}-${words(ep)}`);
  const counts = new Map<string, number>();
  for (const ep of endpoints) counts.set(base(ep), (counts.get(base(ep)) ?? 0) + 1);
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const ep of endpoints) {
    let id = counts.get(base(ep))! > 1 ? `${base(ep)}Via${words(ep)}` : base(ep);
    for (let n = 2; used.has(id); n += 1) id = `${id.replace(/\d+$/, '')}${n}`;
    used.add(id);
    ids.set(ep.key, id);
  }
  return ids;
}

function capital(word: string): string {
  return camel(word).replace(/^./, (c) => c.toUpperCase());
}

function camel(text: string): string {
  return text.replace(/[-_ ]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase());
}
