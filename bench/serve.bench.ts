/**
 * Benchmark: `archspec serve examples/linkly/archspec.yaml` against bench/hand-written-app.ts, a
 * Fastify + better-sqlite3 app doing the same work, for an authenticated read by id
 * (GET /api/links/{code}, scope own) and an authenticated create (POST /api/links). Both servers run
 * in child processes on SQLite (WAL) files in a temporary folder, logging at warn; autocannon drives
 * them from this process, one server at a time. Reads rotate over pre-created links of the caller.
 * Targets: reads >= 0.8x and creates >= 0.7x the hand-written app's requests per second; exit 1
 * when one is missed or a run saw a non-2xx answer or connection error.
 *
 * Run: npm run bench:serve
 * Environment: BENCH_SECONDS (default 10 per endpoint per app), BENCH_CPU_PROF=<dir> (the archspec
 * server writes a V8 CPU profile there when it stops).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import { openHandWrittenDatabase } from './hand-written-app.ts';
import { requestJson, runLoad, startServer, stopServer, summarize, type LoadRequest, type LoadResult, type LoadRun, type ServerProcess } from './serve-bench-support.ts';

const SPEC = 'examples/linkly/archspec.yaml';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 3;
const CONNECTIONS = 10;
const LINKS = 500;
const PASSWORD = 'bench-password-long-enough-1';
const BODY = JSON.stringify({ target: 'https://example.com/articles/2026/11/how-to-benchmark-a-generated-backend?ref=bench', title: 'benchmark link' });
const ENDPOINTS = [
  { name: 'read  GET /api/links/{code}', target: 0.8, load: readLoad },
  { name: 'create POST /api/links', target: 0.7, load: createLoad },
] as const;

interface App { server: ServerProcess; token: string; codes: string[] }

function readLoad(app: App): LoadRequest {
  let next = 0;
  return {
    method: 'GET', path: `/api/links/${app.codes[0]}`, headers: { authorization: `Bearer ${app.token}` },
    setupRequest: (request) => ({ ...request, path: `/api/links/${app.codes[next++ % app.codes.length]}` }),
  };
}

function createLoad(app: App): LoadRequest {
  return { method: 'POST', path: '/api/links', headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' }, body: BODY };
}

/** Whether bin/archspec.js will run the prebuilt bundle (the same test it makes). */
function runsBundle(): boolean {
  if (!existsSync('dist/main.js')) return false;
  const built = statSync('dist/main.js').mtimeMs;
  return readdirSync('src', { recursive: true }).every((entry) => statSync(join('src', String(entry))).mtimeMs <= built);
}

async function startArchspec(dir: string, secret: string): Promise<App> {
  const env: NodeJS.ProcessEnv = { ...process.env, ARCHSPEC_DATA_DIR: join(dir, 'archspec'), ARCHSPEC_JWT_SECRET: secret, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const server = await startServer('archspec serve', [...profile, 'bin/archspec.js', 'serve', SPEC, '--port', '0'], env, /is running \(port (\d+)/);
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

const cell = (text: string, width: number) => text.padStart(width);
function row(endpoint: string, app: string, r: LoadResult, tail = ''): string {
  return `${endpoint.padEnd(28)} ${app.padEnd(13)} ${cell(r.requestsPerSecond.toFixed(0), 8)} ${cell(r.p50Ms.toFixed(1), 7)} ${cell(r.p99Ms.toFixed(1), 7)}${tail}`;
}

/**
 * Measures one endpoint on both apps in halves ordered hand, archspec, archspec, hand, so a drift in
 * the machine's load (other processes) weighs on both sides alike.
 */
async function measure(endpoint: (typeof ENDPOINTS)[number], hand: App, archspec: App): Promise<[LoadResult, LoadResult]> {
  const runs = new Map<App, LoadRun[]>([[hand, []], [archspec, []]]);
  for (const app of [hand, archspec, archspec, hand]) runs.get(app)!.push(await runLoad(app.server.origin, endpoint.load(app), SECONDS / 2, CONNECTIONS));
  return [summarize(hand.server.origin, runs.get(hand)!, CONNECTIONS), summarize(archspec.server.origin, runs.get(archspec)!, CONNECTIONS)];
}

// The command as users run it: build the bundle first (npm install does), as bench/design.bench.ts does.
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const mode = runsBundle() ? 'prebuilt dist bundle' : 'TypeScript sources through tsx';
const dir = mkdtempSync(join(tmpdir(), 'archspec-serve-bench-'));
mkdirSync(join(dir, 'archspec'));
const secret = randomBytes(48).toString('base64');
const started = performance.now();
const archspec = await startArchspec(dir, secret);
const hand = await startHandWritten(dir, secret).catch(async (e: unknown) => {
  await stopServer(archspec.server);
  throw e;
});
let failed = false;
try {
  await checkSameShape([archspec, hand]);
  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}`);
  console.log(`archspec: node bin/archspec.js serve ${SPEC} (${mode}); hand-written: bench/hand-written-app.ts (tsx)`);
  console.log(`load: autocannon in the bench process, ${CONNECTIONS} connections, ${SECONDS} s per endpoint per app (halves ordered hand, archspec, archspec, hand)`);
  console.log(`      after a ${WARMUP_SECONDS} s warm-up; servers in child processes, logs at warn, SQLite WAL files in ${dir};`);
  console.log(`      reads rotate over ${LINKS} pre-created links of the caller (setupRequest); latency resolution 1 ms\n`);
  for (const endpoint of ENDPOINTS) for (const app of [hand, archspec]) await runLoad(app.server.origin, endpoint.load(app), WARMUP_SECONDS, CONNECTIONS);
  console.log(`${'endpoint'.padEnd(28)} ${'app'.padEnd(13)} ${cell('req/s', 8)} ${cell('p50 ms', 7)} ${cell('p99 ms', 7)}   ratio  target`);
  for (const endpoint of ENDPOINTS) {
    const [baseline, measured] = await measure(endpoint, hand, archspec);
    const ratio = measured.requestsPerSecond / baseline.requestsPerSecond;
    const verdict = ratio >= endpoint.target ? 'PASS' : 'FAIL';
    console.log(row(endpoint.name, 'hand-written', baseline));
    console.log(row('', 'archspec', measured, `  ${cell(ratio.toFixed(2), 5)}x  >= ${endpoint.target}x: ${verdict}`));
    for (const [name, r] of [['hand-written', baseline], ['archspec', measured]] as const) {
      if (r.failures > 0) console.log(`  INVALID: ${name} answered ${r.failures} of ${r.total} requests with an error (${r.statusCodes})`);
    }
    failed ||= verdict === 'FAIL' || baseline.failures > 0 || measured.failures > 0;
  }
} finally {
  await Promise.all([stopServer(archspec.server), stopServer(hand.server)]);
  if (!process.env.BENCH_CPU_PROF) rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${failed ? 'FAIL' : 'PASS'} (whole benchmark ${((performance.now() - started) / 1000).toFixed(0)} s)`);
if (process.env.BENCH_CPU_PROF) console.log(`archspec CPU profile written to ${resolve(process.env.BENCH_CPU_PROF)}`);
process.exitCode = failed ? 1 : 0;
