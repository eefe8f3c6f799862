import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet from '@fastify/helmet';

/**
 * The first stages of a request after its id (see observability/logging.ts): security headers and
 * the JSON body parser, which keeps the raw text for signature checks. The body limit itself is a
 * Fastify server option (`bodyLimit`); CORS is off (no Access-Control-* headers are ever sent).
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received (JSON requests only). */
    rawBody?: string;
  }
}

/** Registers security headers (helmet) and the raw-keeping JSON parser. */
export async function registerIntake(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    // The API answers JSON; the interactive docs page sets its own policy. HSTS is left to the TLS terminator.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], upgradeInsecureRequests: null } },
    hsts: false,
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    // An empty body with a JSON content type is treated as no body (a DELETE sent by a generic client).
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, done);
  });
}
