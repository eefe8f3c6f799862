/**
 * The baseline of `npm run bench:serve`: the Linkly endpoints the benchmark loads, written by hand
 * the way a careful team would with Fastify and better-sqlite3, so the ratio shows what archspec's
 * generated server costs. Per request it does the same work as `archspec serve`: verify an HS256
 * access token with jose (algorithm, key, issuer, audience, expiry, required claims), check the role
 * and ownership, validate the create body with a JSON Schema (url format, maxLength), generate a
 * short code, insert through a prepared statement into a WAL database, and answer the same JSON with
 * ETag (and Location on create). Linkly audits Link (`rule: audit`), so a create also appends a
 * hash-chained audit row (who, what, the record; sha256 over the previous hash and the row) in its
 * transaction, as archspec does. It has none of archspec's extras: no request ids, tracing hooks,
 * metrics, security headers, mass-assignment check, rate limit or idempotency lookup;
 * that overhead is part of what the ratio shows.
 *
 * Two variants mirror archspec's caching and events (issue 4):
 * - `GET /cached/api/links/:code` reads through an in-process LRU (lru-cache, 60 s TTL, as Linkly's
 *   `cache: { Link: 60s }`), ownership checked after the cache as archspec does;
 * - `POST /events/api/links` writes the link and an outbox row in one transaction, and a dispatcher
 *   woken after each commit (and every 250 ms) delivers each pending event to its consumer: one
 *   transaction inserting a Visit and marking the event delivered (at least once, like archspec).
 *
 * Run as a process: HANDWRITTEN_DB=<file> JWT_SECRET=<secret> node --import tsx bench/hand-written-app.ts
 * (listens on a free port of 127.0.0.1 and writes `listening on port <n>` to standard error).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';

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
    CREATE INDEX IF NOT EXISTS ix_Link_expiresAt ON Link(expiresAt);
    CREATE TABLE IF NOT EXISTS Visit (id TEXT PRIMARY KEY, link TEXT NOT NULL REFERENCES Link(code) ON DELETE CASCADE, at TEXT NOT NULL, country TEXT,
      version INTEGER NOT NULL DEFAULT 1, createdAt TEXT NOT NULL, updatedAt TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS ix_Visit_link ON Visit(link);
    CREATE TABLE IF NOT EXISTS Audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
      entity TEXT NOT NULL, recordId TEXT NOT NULL, after TEXT, prevHash TEXT NOT NULL, hash TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS ix_Audit_entity ON Audit(entity, recordId);
    CREATE TABLE IF NOT EXISTS Outbox (id TEXT PRIMARY KEY, event TEXT NOT NULL, payload TEXT NOT NULL, createdAt TEXT NOT NULL, deliveredAt TEXT);
    CREATE INDEX IF NOT EXISTS ix_Outbox_pending ON Outbox(deliveredAt, createdAt);`);
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
  const insertLink = db.prepare<unknown[], LinkRow>(`INSERT INTO Link (code, target, title, owner, expiresAt, version, createdAt, updatedAt)
    VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (code) DO NOTHING RETURNING *`);
  const audit = auditTrail(db);
  // The link and its audit row commit together.
  const createLink = (...values: unknown[]): LinkRow | undefined => {
    const link = insertLink.get(...values);
    if (link) audit(`user:${link.owner}`, 'create', 'Link', link.code, link);
    return link;
  };
  const insert = { get: db.transaction(createLink) };

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

  const cache = new LRUCache<string, LinkRow>({ max: 100_000, ttl: 60_000 });
  app.get<{ Params: { code: string } }>('/cached/api/links/:code', {
    onRequest: authenticate,
    schema: { params: { type: 'object', properties: { code: { type: 'string', minLength: 1, maxLength: 200 } } }, response: { 200: LINK } },
  }, async (request, reply) => {
    let link = cache.get(request.params.code);
    if (!link) {
      link = byCode.get(request.params.code);
      if (link) cache.set(link.code, link);
    }
    if (!link || link.owner !== userOf(request)) return problem(reply, 404, 'not_found', `Link ${request.params.code} does not exist`);
    return reply.header('etag', `W/"${link.version}"`).send(link);
  });

  const outbox = db.prepare('INSERT INTO Outbox (id, event, payload, createdAt) VALUES (?, ?, ?, ?)');
  const createWithEvent = db.transaction((values: unknown[]): LinkRow | undefined => {
    const link = createLink(...values);
    if (link) outbox.run(randomUUID(), 'link.created', JSON.stringify({ code: link.code, owner: link.owner, createdAt: link.createdAt }), link.createdAt);
    return link;
  });
  const dispatcher = outboxDispatcher(db);
  app.addHook('onClose', async () => dispatcher.stop());
  // POST a link (a 48-bit random code rarely collides; on a collision, draw again); `write` runs in
  // one transaction, `then` after the commit.
  const createRoute = (url: string, write: (...values: unknown[]) => LinkRow | undefined, then: () => void = () => {}) =>
    app.post<{ Body: { target: string; title?: string | null; expiresAt?: string | null } }>(url, {
      onRequest: authenticate,
      schema: { body: CREATE_BODY, response: { 201: LINK } },
    }, async (request, reply) => {
      const now = new Date().toISOString();
      const { target, title = null, expiresAt = null } = request.body;
      let link: LinkRow | undefined;
      for (let attempt = 0; !link && attempt < 5; attempt++) {
        link = write(randomBytes(6).toString('base64url'), target, title, userOf(request), expiresAt, now, now);
      }
      if (!link) return problem(reply, 409, 'conflict', 'could not allocate a unique short code');
      then();
      return reply.code(201).header('location', `/api/links/${link.code}`).header('etag', `W/"${link.version}"`).send(link);
    });
  createRoute('/api/links', insert.get);
  createRoute('/events/api/links', (...values) => createWithEvent(values), () => dispatcher.nudge());
  return app;
}

/**
 * Appends one hash-chained audit row (call inside the write's transaction): the chain head is read
 * and extended within it, `hash = sha256(prevHash + JSON of the row)`.
 */
function auditTrail(db: Database.Database): (actor: string, action: string, entity: string, recordId: string, after: object) => void {
  const head = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM Audit ORDER BY seq DESC LIMIT 1');
  const append = db.prepare('INSERT INTO Audit (seq, at, actor, action, entity, recordId, after, prevHash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  return (actor, action, entity, recordId, after) => {
    const last = head.get() ?? { seq: 0, hash: '0'.repeat(64) };
    const at = new Date().toISOString();
    const image = JSON.stringify(after);
    const hash = createHash('sha256').update(last.hash).update(JSON.stringify({ at, actor, action, entity, recordId, after: image })).digest('hex');
    append.run(last.seq + 1, at, actor, action, entity, recordId, image, last.hash, hash);
  };
}

/**
 * Delivers pending outbox rows to the consumer (records a Visit for the new link), each in one
 * transaction with marking the row delivered; runs after a nudge (coalesced) and every 250 ms.
 */
function outboxDispatcher(db: Database.Database): { nudge(): void; stop(): void } {
  const pending = db.prepare<[], { id: string; payload: string }>('SELECT id, payload FROM Outbox WHERE deliveredAt IS NULL ORDER BY createdAt LIMIT 100');
  const visit = db.prepare('INSERT INTO Visit (id, link, at, version, createdAt, updatedAt) VALUES (?, ?, ?, 1, ?, ?)');
  const delivered = db.prepare('UPDATE Outbox SET deliveredAt = ? WHERE id = ?');
  const deliver = db.transaction((row: { id: string; payload: string }) => {
    const event = JSON.parse(row.payload) as { code: string; createdAt: string };
    const now = new Date().toISOString();
    visit.run(randomUUID(), event.code, event.createdAt, now, now);
    delivered.run(now, row.id);
  });
  let scheduled = false;
  const run = () => {
    scheduled = false;
    for (const row of pending.all()) deliver(row);
  };
  const timer = setInterval(run, 250);
  return {
    nudge: () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(run);
    },
    stop: () => clearInterval(timer),
  };
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
