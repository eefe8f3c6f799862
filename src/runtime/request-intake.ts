import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
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

const HELMET_OPTIONS = {
  // The API answers JSON; the interactive docs page sets its own policy. HSTS is left to the TLS terminator.
  contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], upgradeInsecureRequests: null } },
  hsts: false,
};

/**
 * The security headers helmet sets with {@link HELMET_OPTIONS}, found once by letting @fastify/helmet
 * answer one request in a throwaway Fastify instance: the headers do not depend on the request, and
 * the plugin would otherwise rebuild helmet's middleware on every request.
 */
export async function securityHeaders(): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, HELMET_OPTIONS);
  // Only onRequest hooks (helmet's) have run when the handler reads the reply's headers.
  probe.get('/', async (_request, reply) => reply.getHeaders());
  try {
    const headers = (await probe.inject({ method: 'GET', url: '/' })).json<Record<string, unknown>>();
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
  } finally {
    await probe.close();
  }
}

/** Registers security headers (helmet's set, computed once) and the raw-keeping JSON parser. */
export async function registerIntake(app: FastifyInstance): Promise<void> {
  const headers = await securityHeaders();
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
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
