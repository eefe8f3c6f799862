import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { SystemModel } from '../../model/system-model.ts';
import { openApiDocument, type OpenApiOptions } from './openapi-document.ts';

/**
 * Serves the OpenAPI document at GET /openapi.json and interactive docs (Swagger UI) at GET /docs.
 * The docs work offline: Swagger UI's script and stylesheet come from the installed
 * `swagger-ui-dist` package through routes of this server, and the page's Content-Security-Policy
 * forbids loading anything from elsewhere.
 */

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/openapi.json';
/** Where the interactive docs are served (assets under it). */
export const DOCS_PATH = '/docs';
const ASSETS = `${DOCS_PATH}/assets`;

/** Swagger UI files served under /docs/assets, with their content types. */
const SWAGGER_FILES: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Nothing but this server: scripts, styles, API calls; images also as data: URIs (Swagger UI's icons). */
const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/**
 * Adds GET /openapi.json (the document, built once), GET /docs (the Swagger UI page), its
 * start-up script and the Swagger UI assets. "Try it out" calls go to this server (the document's
 * server URL is the API base path, relative to the page).
 *
 * @example
 * registerOpenApi(app, model); // then open http://localhost:3000/docs
 */
export function registerOpenApi(app: FastifyInstance, model: SystemModel, options: OpenApiOptions = {}): void {
  const document = JSON.stringify(openApiDocument(model, options));
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const files = new Map(Object.entries(SWAGGER_FILES).map(([name, type]) => [name, { type, body: readFileSync(join(dist, name)) }]));

  app.get(OPENAPI_PATH, async (_request, reply) => reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(document));

  app.get(DOCS_PATH, async (_request, reply) => reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', DOCS_CSP)
    .header('cache-control', 'no-cache')
    .send(docsPage(model.system.name)));

  app.get(`${ASSETS}/docs-init.js`, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(INIT_SCRIPT));

  app.get<{ Params: { file: string } }>(`${ASSETS}/:file`, async (request, reply) => {
    const file = files.get(request.params.file);
    if (!file) return reply.callNotFound();
    return reply.type(file.type).header('cache-control', 'public, max-age=86400').send(file.body);
  });
}

/** Starts Swagger UI on the document; a separate file so the page needs no inline script. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '${OPENAPI_PATH}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    validatorUrl: null,
    layout: 'BaseLayout'
  });
});
`;

function docsPage(title: string): string {
  const escaped = title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escaped} API</title>
  <link rel="icon" type="image/png" href="${ASSETS}/favicon-32x32.png">
  <link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSETS}/swagger-ui-bundle.js"></script>
  <script src="${ASSETS}/docs-init.js"></script>
</body>
</html>
`;
}
