/**
 * The baseline of `npm run bench:serve`: the two Linkly endpoints the benchmark loads, written by hand
 * the way a careful team would with Fastify and better-sqlite3, so the ratio shows what archspec's
 * generated server costs. Per request it does the same work as `archspec serve`: verify an HS256
 * access token with jose (algorithm, key, issuer, audience, expiry, required claims), check the role
 * and ownership, validate the create body with a JSON Schema (url format, maxLength), generate a
 * short code, insert through a prepared statement into a WAL database, and answer the same JSON with
 * ETag (and Location on create). It has none of archspec's extras: no request ids, tracing hooks,
 * metrics, security headers or mass-assignment check; that overhead is part of what the ratio shows.
 *
 * Run as a process: HANDWRITTEN_DB=<file> JWT_SECRET=<secret> node --import tsx bench/hand-written-app.ts
 * (listens on a free port of 127.0.0.1 and writes `listening on port <n>` to standard error).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';

/** A Link row as stored and answered. */
interface LinkRow {
  code: string; target: string; title: string | null; owner: string; expiresAt: string | null;
  version: number; createdAt: string; updatedAt: string; deletedAt: string | null;
}

/** What the token check needs: the HS256 secret and the claims archspec's tokens carry for Linkly. */
export interface HandWrittenOptions {
  secret: string;
  issuer: string;
  audience: string;
}

/** Opens (creating if needed) the database: WAL, NORMAL sync, foreign keys, the User and Link tables. */
export function openHandWrittenDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(`
    CREATE TABLE IF NOT EXISTS User (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT, role TEXT DEFAULT 'user',
      version INTEGER NOT NULL DEFAULT 1, createdAt TEXT NOT NULL, updatedAt TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS Link (code TEXT PRIMARY KEY, target TEXT NOT NULL, title TEXT,
      owner TEXT NOT NULL REFERENCES User(id) ON DELETE CASCADE, expiresAt TEXT,
      version INTEGER NOT NULL DEFAULT 1, createdAt TEXT NOT NULL, updatedAt TEXT NOT NULL, deletedAt TEXT);
    CREATE INDEX IF NOT EXISTS ix_Link_owner ON Link(owner);
    CREATE INDEX IF NOT EXISTS ix_Link_expiresAt ON Link(expiresAt);`);
  return db;
}

const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const LINK = {
  type: 'object',
  properties: {
    code: { type: 'string' }, target: { type: 'string' }, title: nullable({ type: 'string' }), owner: { type: 'string' },
    expiresAt: nullable({ type: 'string' }), version: { type: 'integer' }, createdAt: { type: 'string' },
    updatedAt: { type: 'string' }, deletedAt: nullable({ type: 'string' }),
  },
} as const;
const CREATE_BODY = {
  type: 'object', additionalProperties: false, required: ['target'],
  properties: {
    target: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
    title: nullable({ type: 'string', maxLength: 200 }),
    expiresAt: nullable({ type: 'string', format: 'date-time' }),
  },
} as const;
const ROLES = new Set(['user', 'admin']);
/** A request after `authenticate`: the token's subject (declared here, not on FastifyRequest, to keep src/ types clean). */
type Authed = FastifyRequest & { userId: string };

function problem(reply: FastifyReply, status: number, code: string, detail: string): FastifyReply {
  return reply.code(status).type('application/problem+json').send({ type: `about:blank#${code}`, title: code, status, detail });
}

/** Builds the two routes, GET /api/links/:code and POST /api/links, both for a signed-in user or admin. */
export function buildHandWrittenApp(db: Database.Database, options: HandWrittenOptions): FastifyInstance {
  const app = Fastify({ logger: { level: 'warn' }, bodyLimit: 16 * 1024 });
  const key = new TextEncoder().encode(options.secret);
  const byCode = db.prepare<[string], LinkRow>('SELECT * FROM Link WHERE code = ? AND deletedAt IS NULL');
  const insert = db.prepare<unknown[], LinkRow>(`INSERT INTO Link (code, target, title, owner, expiresAt, version, createdAt, updatedAt)
    VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (code) DO NOTHING RETURNING *`);

  app.decorateRequest('userId', '');
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return problem(reply, 401, 'unauthenticated', 'send Authorization: Bearer <token>');
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'], issuer: options.issuer, audience: options.audience, requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      const roles = Array.isArray(payload.roles) ? payload.roles : [];
      if (!roles.some((r) => ROLES.has(String(r)))) return problem(reply, 403, 'forbidden', 'needs the role user or admin');
      (request as Authed).userId = String(payload.sub);
    } catch {
      return problem(reply, 401, 'invalid_token', 'the access token does not verify');
    }
  };
  const userOf = (request: FastifyRequest) => (request as Authed).userId;

  app.get<{ Params: { code: string } }>('/api/links/:code', {
    onRequest: authenticate,
    schema: { params: { type: 'object', properties: { code: { type: 'string', minLength: 1, maxLength: 200 } } }, response: { 200: LINK } },
  }, async (request, reply) => {
    const link = byCode.get(request.params.code);
    // Someone else's link answers like a missing one, so codes of other users leak nothing.
    if (!link || link.owner !== userOf(request)) return problem(reply, 404, 'not_found', `Link ${request.params.code} does not exist`);
    return reply.header('etag', `W/"${link.version}"`).send(link);
  });

  app.post<{ Body: { target: string; title?: string | null; expiresAt?: string | null } }>('/api/links', {
    onRequest: authenticate,
    schema: { body: CREATE_BODY, response: { 201: LINK } },
  }, async (request, reply) => {
    const now = new Date().toISOString();
    const { target, title = null, expiresAt = null } = request.body;
    let link: LinkRow | undefined;
    // A 48-bit random code rarely collides; on a collision, draw again.
    for (let attempt = 0; !link && attempt < 5; attempt++) {
      link = insert.get(randomBytes(6).toString('base64url'), target, title, userOf(request), expiresAt, now, now);
    }
    if (!link) return problem(reply, 409, 'conflict', 'could not allocate a unique short code');
    return reply.code(201).header('location', `/api/links/${link.code}`).header('etag', `W/"${link.version}"`).send(link);
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { HANDWRITTEN_DB: file, JWT_SECRET: secret } = process.env;
  if (!file || !secret) throw new Error('set HANDWRITTEN_DB and JWT_SECRET');
  const db = openHandWrittenDatabase(file);
  const app = buildHandWrittenApp(db, { secret, issuer: 'linkly', audience: 'archspec' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.stderr.write(`listening on port ${typeof address === 'object' && address ? address.port : '?'}\n`);
  process.on('SIGTERM', () => void app.close().then(() => { db.close(); process.exit(0); }));
}
