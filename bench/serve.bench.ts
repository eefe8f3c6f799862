/**
 * Benchmark: `archspec serve` of the Linkly example against bench/hand-written-app.ts, a Fastify +
 * better-sqlite3 app doing the same work, for four authenticated endpoints:
 * - read: GET /api/links/{code} (scope own), no cache (a copy of the spec without `scalability.cache`);
 * - cached read: the same read with Linkly's `cache: { Link: 60s }` (record read-through cache) vs
 *   the hand-written app reading through an LRU;
 * - create: POST /api/links;
 * - create + event: POST /api/links declaring `emits: [link.created]`, consumed by the analytics
 *   worker (a handler recording a Visit), vs the hand-written app writing an outbox row in the same
 *   transaction and delivering it to the same consumer work.
 * Both copies of the spec raise `POST /links`'s rate limit from 60/min to 1000000/min: the limiter
 * still runs (its cost is measured), it just never refuses the load. Servers run in child processes
 * on SQLite (WAL) files in a temporary folder, logging at warn; autocannon drives them from this
 * process, one server at a time. Reads rotate over pre-created links of the caller.
 * Targets: reads >= 0.8x, creates >= 0.7x, create + event >= 0.6x the hand-written app's requests
 * per second; exit 1 when one is missed or a run saw a non-2xx answer or connection error.
 *
 * Run: npm run bench:serve
 * Environment: BENCH_SECONDS (default 10 per endpoint per app), BENCH_CPU_PROF=<dir> (the archspec
 * server writes a V8 CPU profile there when it stops).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import Database from 'better-sqlite3';
import { openHandWrittenDatabase } from './hand-written-app.ts';

const openReadOnly = (file: string) => new Database(file, { readonly: true, fileMustExist: true });
import { requestJson, runLoad, runsBundle, startServer, stopServer, summarize, type LoadRequest, type LoadResult, type LoadRun, type ServerProcess } from './serve-bench-support.ts';

const SPEC = 'examples/linkly/archspec.yaml';
/** The field encryption key of the served copies (Linkly encrypts User.email and User.name). */
const FIELD_KEY = randomBytes(32).toString('base64');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 3;
const CONNECTIONS = 10;
const LINKS = 500;
const PASSWORD = 'bench-password-long-enough-1';
const BODY = JSON.stringify({ target: 'https://example.com/articles/2026/11/how-to-benchmark-a-generated-backend?ref=bench', title: 'benchmark link' });

interface App { server: ServerProcess; token: string; codes: string[] }
/** Which server answers an endpoint, and under which path prefix (the hand-written app mounts its variants under one). */
interface Side { app: App; prefix: string }
interface Endpoint { name: string; target: number; hand: Side; archspec: Side; load: (side: Side) => LoadRequest }

function readLoad({ app, prefix }: Side): LoadRequest {
  let next = 0;
  return {
    method: 'GET', path: `${prefix}/api/links/${app.codes[0]}`, headers: { authorization: `Bearer ${app.token}` },
    setupRequest: (request) => ({ ...request, path: `${prefix}/api/links/${app.codes[next++ % app.codes.length]}` }),
  };
}

function createLoad({ app, prefix }: Side): LoadRequest {
  return { method: 'POST', path: `${prefix}/api/links`, headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' }, body: BODY };
}

/** The consumer the create + event endpoint feeds: the analytics worker records a Visit of the new link. */
const NOTE_LINK = `export default async function noteLink(event: { code: string; createdAt: string }, ctx: any) {
  await ctx.db.create('Visit', { link: event.code, at: event.createdAt });
}
`;

/**
 * A copy of the Linkly example in \`dir\` for the benchmark: the create's rate limit raised (see
 * above); \`cached\` keeps \`scalability.cache\` and adds the link.created event, its emit on
 * POST /links and its consumer; otherwise the cache rules are removed.
 */
function benchSpec(dir: string, cached: boolean): string {
  cpSync('examples/linkly', dir, { recursive: true, filter: (source) => !source.includes('.data') });
  const file = join(dir, 'archspec.yaml');
  let text = readFileSync(file, 'utf8');
  const edit = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`bench: the Linkly spec no longer contains ${JSON.stringify(from)}; update benchSpec`);
    text = text.replace(from, to);
  };
  edit('rateLimit: 60/min, idempotent: true,', `rateLimit: 1000000/min, idempotent: true,${cached ? ' emits: [link.created],' : ''}`);
  if (cached) {
    edit('events:\n', 'events:\n  link.created:\n    description: a short link was created\n    producer: links\n    payload: { code: string, owner: string, createdAt: timestamp }\n');
    edit('consumes: [link.visited],', 'consumes: [link.visited, link.created],');
    edit('handlers: { link.visited: ./handlers/record-visit.ts }', 'handlers: { link.visited: ./handlers/record-visit.ts, link.created: ./handlers/note-link.ts }');
    writeFileSync(join(dir, 'handlers', 'note-link.ts'), NOTE_LINK);
  } else {
    edit('  cache: { Link: 60s, "GET /r/{code}": 60s }\n', '');
  }
  writeFileSync(file, text);
  return file;
}

async function startArchspec(dir: string, secret: string, cached: boolean): Promise<App> {
  const spec = benchSpec(join(dir, cached ? 'spec-cached' : 'spec-plain'), cached);
  const env: NodeJS.ProcessEnv = {
    ...process.env, ARCHSPEC_DATA_DIR: join(dir, cached ? 'archspec-cached' : 'archspec-plain'), ARCHSPEC_JWT_SECRET: secret, LOG_LEVEL: 'warn',
    ARCHSPEC_KEY: FIELD_KEY,
  };
  delete env.DATABASE_URL;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const server = await startServer(`archspec serve (${cached ? 'cache + events' : 'no cache'})`, [...profile, 'bin/archspec.js', 'serve', spec, '--port', '0'], env, /is running \(port (\d+)/);
  const api = `${server.origin}/api`;
  await requestJson(`${api}/users`, { method: 'POST', body: { email: 'bench@example.com', password: PASSWORD } }, 201);
  const { accessToken } = await requestJson<{ accessToken: string }>(`${api}/auth/login`, { method: 'POST', body: { email: 'bench@example.com', password: PASSWORD } }, 200);
  return { server, token: accessToken, codes: await createLinks(server, accessToken) };
}

async function startHandWritten(dir: string, secret: string): Promise<App> {
  const file = join(dir, 'hand-written.sqlite');
  const userId = randomUUID();
  const now = new Date().toISOString();
  const db = openHandWrittenDatabase(file);
  db.prepare('INSERT INTO User (id, email, createdAt, updatedAt) VALUES (?, ?, ?, ?)').run(userId, 'bench@example.com', now, now);
  db.close();
  // The same token archspec's login issues for Linkly: HS256, iss linkly, aud archspec, roles, sid, jti, 15 min.
  const token = await new SignJWT({ roles: ['user'], sid: randomUUID() }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('linkly').setAudience('archspec').setSubject(userId).setIssuedAt().setExpirationTime('15m').setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
  const env = { ...process.env, HANDWRITTEN_DB: file, JWT_SECRET: secret };
  const server = await startServer('hand-written app', ['--import', 'tsx', 'bench/hand-written-app.ts'], env, /listening on port (\d+)/);
  return { server, token, codes: await createLinks(server, token) };
}

async function createLinks(server: ServerProcess, token: string): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < LINKS; i++) {
    const link = await requestJson<{ code: string }>(`${server.origin}/api/links`, { method: 'POST', body: JSON.parse(BODY), token }, 201);
    codes.push(link.code);
  }
  return codes;
}

/** Both apps must answer a read with the same fields, or they are not doing the same work. */
async function checkSameShape(apps: App[]): Promise<void> {
  const shapes = await Promise.all(apps.map(async (app) =>
    Object.keys(await requestJson<object>(`${app.server.origin}/api/links/${app.codes[0]}`, { method: 'GET', token: app.token }, 200)).sort().join(',')));
  if (new Set(shapes).size !== 1) throw new Error(`the apps answer different records: ${shapes.join(' vs ')}`);
}

/**
 * The create + event runs only count if the events reached their consumer: after the load, every
 * link.created must have become a Visit on both sides (waits up to 30 s for the backlog to drain).
 */
async function eventsDelivered(archspec: App, hand: App): Promise<boolean> {
  const count = (file: string, sql: string) => {
    const db = openReadOnly(file);
    try { return (db.prepare(sql).get() as { n: number }).n; } finally { db.close(); }
  };
  const archspecFile = join(dir, 'archspec-cached', 'linkly.sqlite');
  const handFile = join(dir, 'hand-written.sqlite');
  const backlog = () => [
    count(archspecFile, "SELECT count(*) AS n FROM _archspec_deliveries WHERE event = 'link.created' AND status <> 'done'")
      + count(archspecFile, 'SELECT count(*) AS n FROM _archspec_outbox WHERE publishedAt IS NULL'),
    count(handFile, 'SELECT count(*) AS n FROM Outbox WHERE deliveredAt IS NULL'),
  ];
  const deadline = Date.now() + 30_000;
  let left = backlog();
  while (left.some((n) => n > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    left = backlog();
  }
  const visits = [count(archspecFile, 'SELECT count(*) AS n FROM Visit'), count(handFile, 'SELECT count(*) AS n FROM Visit')];
  console.log(`\nevents: archspec delivered ${visits[0]} link.created as Visits (undelivered ${left[0]}); hand-written ${visits[1]} (undelivered ${left[1]})`);
  void archspec; void hand;
  return left.every((n) => n === 0);
}

const cell = (text: string, width: number) => text.padStart(width);
function row(endpoint: string, app: string, r: LoadResult, tail = ''): string {
  return `${endpoint.padEnd(28)} ${app.padEnd(13)} ${cell(r.requestsPerSecond.toFixed(0), 8)} ${cell(r.p50Ms.toFixed(1), 7)} ${cell(r.p99Ms.toFixed(1), 7)}${tail}`;
}

/**
 * Measures one endpoint on both apps in halves ordered hand, archspec, archspec, hand, so a drift in
 * the machine's load (other processes) weighs on both sides alike.
 */
async function measure(endpoint: Endpoint): Promise<[LoadResult, LoadResult]> {
  const runs = new Map<Side, LoadRun[]>([[endpoint.hand, []], [endpoint.archspec, []]]);
  for (const side of [endpoint.hand, endpoint.archspec, endpoint.archspec, endpoint.hand]) {
    runs.get(side)!.push(await runLoad(side.app.server.origin, endpoint.load(side), SECONDS / 2, CONNECTIONS));
  }
  return [summarize(endpoint.hand.app.server.origin, runs.get(endpoint.hand)!, CONNECTIONS), summarize(endpoint.archspec.app.server.origin, runs.get(endpoint.archspec)!, CONNECTIONS)];
}

// The command as users run it: build the bundle first (npm install does), as bench/design.bench.ts does.
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const mode = runsBundle() ? 'prebuilt dist bundle' : 'TypeScript sources through tsx';
const dir = mkdtempSync(join(tmpdir(), 'archspec-serve-bench-'));
for (const sub of ['archspec-plain', 'archspec-cached']) mkdirSync(join(dir, sub));
const secret = randomBytes(48).toString('base64');
const started = performance.now();
const servers: ServerProcess[] = [];
let failed = false;
try {
  const plain = await startArchspec(dir, secret, false);
  servers.push(plain.server);
  const cached = await startArchspec(dir, secret, true);
  servers.push(cached.server);
  const hand = await startHandWritten(dir, secret);
  servers.push(hand.server);
  const ENDPOINTS: Endpoint[] = [
    { name: 'read  GET /api/links/{code}', target: 0.8, hand: { app: hand, prefix: '' }, archspec: { app: plain, prefix: '' }, load: readLoad },
    { name: 'cached read (Link: 60s)', target: 0.8, hand: { app: hand, prefix: '/cached' }, archspec: { app: cached, prefix: '' }, load: readLoad },
    { name: 'create POST /api/links', target: 0.7, hand: { app: hand, prefix: '' }, archspec: { app: plain, prefix: '' }, load: createLoad },
    { name: 'create + event link.created', target: 0.6, hand: { app: hand, prefix: '/events' }, archspec: { app: cached, prefix: '' }, load: createLoad },
  ];
  await checkSameShape([plain, cached, hand]);
  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`);
  console.log(`archspec: node bin/archspec.js serve <copy of ${SPEC}> (${mode}); hand-written: bench/hand-written-app.ts (tsx)`);
  console.log(`load: autocannon in the bench process, ${CONNECTIONS} connections, ${SECONDS} s per endpoint per app (halves ordered hand, archspec, archspec, hand)`);
  console.log(`      after a ${WARMUP_SECONDS} s warm-up; servers in child processes, logs at warn, SQLite WAL files in ${dir};`);
  console.log(`      reads rotate over ${LINKS} pre-created links of the caller (setupRequest); latency resolution 1 ms\n`);
  for (const endpoint of ENDPOINTS) for (const side of [endpoint.hand, endpoint.archspec]) await runLoad(side.app.server.origin, endpoint.load(side), WARMUP_SECONDS, CONNECTIONS);
  console.log(`${'endpoint'.padEnd(28)} ${'app'.padEnd(13)} ${cell('req/s', 8)} ${cell('p50 ms', 7)} ${cell('p99 ms', 7)}   ratio  target`);
  for (const endpoint of ENDPOINTS) {
    const [baseline, measured] = await measure(endpoint);
    const ratio = measured.requestsPerSecond / baseline.requestsPerSecond;
    const verdict = ratio >= endpoint.target ? 'PASS' : 'FAIL';
    console.log(row(endpoint.name, 'hand-written', baseline));
    console.log(row('', 'archspec', measured, `  ${cell(ratio.toFixed(2), 5)}x  >= ${endpoint.target}x: ${verdict}`));
    for (const [name, r] of [['hand-written', baseline], ['archspec', measured]] as const) {
      if (r.failures > 0) console.log(`  INVALID: ${name} answered ${r.failures} of ${r.total} requests with an error (${r.statusCodes})`);
    }
    failed ||= verdict === 'FAIL' || baseline.failures > 0 || measured.failures > 0;
  }
  const delivered = await eventsDelivered(cached, hand);
  failed ||= !delivered;
} finally {
  await Promise.all(servers.map((server) => stopServer(server)));
  if (!process.env.BENCH_CPU_PROF) rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${failed ? 'FAIL' : 'PASS'} (whole benchmark ${((performance.now() - started) / 1000).toFixed(0)} s)`);
if (process.env.BENCH_CPU_PROF) console.log(`archspec CPU profile written to ${resolve(process.env.BENCH_CPU_PROF)}`);
process.exitCode = failed ? 1 : 0;
