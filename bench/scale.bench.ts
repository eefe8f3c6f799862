/**
 * Benchmark: throughput of `archspec serve --instances N` for N = 1, 2, 4 on PostgreSQL + Redis, for
 * the Linkly example, in three mixes:
 * - read, Link cache off: `GET /api/links/{code}` (Bearer, scope own) on a copy of the spec without
 *   `scalability.cache`, so every read goes to PostgreSQL;
 * - read, Link cache on: the same reads with Linkly's `cache: { Link: 60s }` (record read-through
 *   cache, in Redis);
 * - write mix: the spec as shipped (cache on), one request in five `POST /api/links` (a create:
 *   insert, audit row under the chain lock, commit), four in five the reads above.
 * Each request takes the next of USERS users in turn, and a read that user's next own link (LINKS
 * per user, created beforehand): every request is authorized against its own user.
 *
 * Each N gets a fresh PostgreSQL database (created on BENCH_POSTGRES_URL's server, dropped at the
 * end) and its own Redis key prefix (ARCHSPEC_REDIS_PREFIX, keys deleted at the end). N = 1 runs
 * without --instances: that is the single serving process (`--instances 1` takes the same path).
 * N > 1 is the supervisor with N workers sharing the port. The spec copies raise the rate limits of
 * `POST /links` and `POST /users` to 1000000/min: the limiter runs (in Redis), it never refuses.
 * autocannon runs in a child process (bench/load-process.ts) with CONNECTIONS keep-alive connections,
 * after a warm-up of each mix (see WARMUP_SECONDS). During each measured run the CPU time of every
 * party is read from /proc: the archspec processes, PostgreSQL, Redis, the load generator (child and
 * this process) and everything else on the machine, printed as cores in use.
 *
 * A run that saw a non-2xx answer, a connection error or a timeout is invalid: exit 1. PostgreSQL or
 * Redis unreachable: one line, exit 2. There is no target on speed-up or efficiency: on the 2-core
 * machine the project runs on, one instance, PostgreSQL and the load generator already use about
 * 1.6 cores, so nothing physical promises that a second instance adds throughput (see
 * docs/performance.md, "Scale-out").
 *
 * Run: npm run bench:scale
 * Environment: BENCH_SECONDS (default 10 per mix per N), BENCH_WARMUP_SECONDS (at least 6 x N) and
 * BENCH_WARMUP_MAX_SECONDS (40), BENCH_CONNECTIONS (48), BENCH_SIZES (1,2,4), BENCH_POSTGRES_URL
 * (postgres://postgres@127.0.0.1:5432/postgres: the server, and a database to connect to for
 * CREATE/DROP DATABASE), BENCH_REDIS_URL (redis://127.0.0.1:6379).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { requestJson, runsBundle, startServer, stopServer, type LoadResult, type ServerProcess } from './serve-bench-support.ts';
import { startLoadProcess, type LoadJob, type LoadProcess, type LoadUser } from './load-process.ts';

const SPEC = 'examples/linkly/archspec.yaml';
/** The instance counts measured (BENCH_SIZES, comma-separated; 1 is always measured first: it is the base of speed-up and efficiency). */
const SIZES = [...new Set([1, ...(process.env.BENCH_SIZES ?? '1,2,4').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 1)])];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/**
 * Warm-up: windows of WARMUP_WINDOW seconds until two in a row differ by less than 10% in req/s,
 * at least WARMUP_SECONDS x N and at most WARMUP_MAX_SECONDS. Each instance compiles its hot code
 * on its own, from its 1/N share of the requests: after 3 s, 4 instances still spent 2-3x the CPU
 * per request they spent 20 s later, so a fixed short warm-up measured JIT compilation, not serving.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 6);
const WARMUP_MAX_SECONDS = Number(process.env.BENCH_WARMUP_MAX_SECONDS ?? 40);
const WARMUP_WINDOW = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 48);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const USERS = 8;
const LINKS = 100;
const PASSWORD = 'bench-password-long-enough-1';
const BODY = JSON.stringify({ target: 'https://example.com/articles/2026/11/how-to-benchmark-a-generated-backend?ref=bench', title: 'benchmark link' });
/** The field encryption key (Linkly encrypts User.email and User.name) and the token secret of every server. */
const FIELD_KEY = randomBytes(32).toString('base64');
const JWT_SECRET = randomBytes(48).toString('base64');

interface Mix { name: string; spec: 'plain' | 'cached'; createEvery: number }
const MIXES: Mix[] = [
  { name: 'read, Link cache off', spec: 'plain', createEvery: 0 },
  { name: 'read, Link cache on', spec: 'cached', createEvery: 0 },
  { name: 'write mix (80% read, 20% create), cache on', spec: 'cached', createEvery: 5 },
];

/** Cores in use per party during one measured run (undefined where /proc is not readable). */
interface CpuShare { archspec: number; postgres: number; redis: number; load: number; other: number }
interface Measurement { instances: number; result: LoadResult; cpu?: CpuShare; load1: number; warmupSeconds: number }

class Unreachable extends Error {}

// ---- PostgreSQL and Redis: checks, a database per N, cleanup ----

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkServices(): Promise<void> {
  try {
    await adminQuery('select 1');
  } catch (e) {
    throw new Unreachable(`PostgreSQL at ${new URL(POSTGRES_URL).host} is not reachable (${(e as Error).message}); start it or set BENCH_POSTGRES_URL`);
  }
  const redis = openRedis();
  let cause: Error | undefined;
  redis.once('error', (e: Error) => { cause = e; });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Unreachable(`Redis at ${new URL(REDIS_URL).host} is not reachable (${(cause ?? (e as Error)).message}); start it or set BENCH_REDIS_URL`);
  } finally {
    redis.disconnect();
  }
}

function openRedis(): Redis {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => {});
  return redis;
}

/** Deletes every key under `prefix`; answers how many. */
async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = openRedis();
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** A database for one N: CREATE DATABASE archspec_bench_<random>; answers its URL and how to drop it. */
async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `archspec_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`drop database if exists ${name} with (force)`) };
}

// ---- The served spec ----

/**
 * A copy of the Linkly example in `dir`: the create's and sign-up's rate limits raised (see above);
 * `plain` also drops `scalability.cache`.
 */
function specCopy(dir: string, variant: 'plain' | 'cached'): string {
  cpSync('examples/linkly', dir, { recursive: true, filter: (source) => !source.includes('.data') });
  const file = join(dir, 'archspec.yaml');
  let text = readFileSync(file, 'utf8');
  const edit = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`bench: the Linkly spec no longer contains ${JSON.stringify(from)}; update specCopy`);
    text = text.replace(from, to);
  };
  edit('rateLimit: 60/min, idempotent: true,', 'rateLimit: 1000000/min, idempotent: true,');
  edit('public: true, rateLimit: 10/hour,', 'public: true, rateLimit: 1000000/min,');
  if (variant === 'plain') edit('  cache: { Link: 60s, "GET /r/{code}": 60s }\n', '');
  writeFileSync(file, text);
  return file;
}

/** The environment of a server: this process's, without any database, broker, Redis, tracing or archspec settings, plus the run's. */
function serverEnv(databaseUrl: string, prefix: string, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (/^(DATABASE_|NATS_|REDIS_|OTEL_|ARCHSPEC_)/.test(key)) delete env[key];
  return {
    ...env, DATABASE_URL: databaseUrl, REDIS_URL, ARCHSPEC_REDIS_PREFIX: prefix, ARCHSPEC_JWT_SECRET: JWT_SECRET, ARCHSPEC_KEY: FIELD_KEY,
    ARCHSPEC_DATA_DIR: dataDir, LOG_LEVEL: 'warn',
  };
}

/** How each server start ran the CLI (other work on the tree may make the bundle stale between starts). */
const modes = new Set<string>();

/**
 * Starts the CLI on `spec`. The bundle is rebuilt first, as `npm install` would have, so a source
 * edited since the last start does not silently switch bin/archspec.js to the slower-starting sources.
 */
function startArchspec(spec: string, instances: number, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  modes.add(runsBundle() ? 'prebuilt dist bundle' : 'TypeScript sources through tsx');
  const args = ['bin/archspec.js', 'serve', spec, '--port', '0', ...(instances > 1 ? ['--instances', String(instances)] : [])];
  return startServer(`archspec serve${instances > 1 ? ` --instances ${instances}` : ''}`, args, env, /is running \(port (\d+)/, 120_000);
}

/** Signs up USERS users, logs each in and creates LINKS links for each. */
async function createUsers(origin: string): Promise<LoadUser[]> {
  const api = `${origin}/api`;
  return Promise.all(Array.from({ length: USERS }, async (_, i) => {
    const email = `bench-${i}@example.com`;
    await requestJson(`${api}/users`, { method: 'POST', body: { email, password: PASSWORD } }, 201);
    const { accessToken } = await requestJson<{ accessToken: string }>(`${api}/auth/login`, { method: 'POST', body: { email, password: PASSWORD } }, 200);
    const codes: string[] = [];
    for (let l = 0; l < LINKS; l++) codes.push((await requestJson<{ code: string }>(`${api}/links`, { method: 'POST', body: JSON.parse(BODY), token: accessToken }, 201)).code);
    return { token: accessToken, codes };
  }));
}

// ---- CPU accounting from /proc ----

const PROC = '/proc';
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat { pid: number; ppid: number; comm: string; ticks: number }
interface CpuSnapshot { at: number; busy: number; processes: Map<number, ProcStat> }

function readProcesses(): Map<number, ProcStat> {
  const processes = new Map<number, ProcStat>();
  for (const entry of readdirSync(PROC)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(join(PROC, entry, 'stat'), 'utf8');
      const close = text.lastIndexOf(')');
      const fields = text.slice(close + 2).split(' ');
      processes.set(Number(entry), {
        pid: Number(entry), ppid: Number(fields[1]), comm: text.slice(text.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // The process ended while being read.
    }
  }
  return processes;
}

/** Busy ticks of the whole machine (all CPUs: everything but idle and iowait). */
function machineBusy(): number {
  const [, ...values] = readFileSync(join(PROC, 'stat'), 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
}

function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    return { at: performance.now(), busy: machineBusy(), processes: readProcesses() };
  } catch {
    return undefined;
  }
}

/** Cores used by each party between two snapshots. */
function cpuShare(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined, serverPid: number, loadPid: number): CpuShare | undefined {
  if (!before || !after) return undefined;
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number) => ticks / TICKS / seconds;
  const used = (p: ProcStat) => p.ticks - (before.processes.get(p.pid)?.ticks ?? 0);
  const archspecPids = new Set([serverPid]);
  // The supervisor's workers (and anything they start): descendants of the server process.
  for (let grew = true; grew;) {
    grew = false;
    for (const p of after.processes.values()) if (!archspecPids.has(p.pid) && archspecPids.has(p.ppid)) { archspecPids.add(p.pid); grew = true; }
  }
  const share = { archspec: 0, postgres: 0, redis: 0, load: 0, other: 0 };
  for (const p of after.processes.values()) {
    const party = archspecPids.has(p.pid) ? 'archspec' : p.comm === 'postgres' ? 'postgres' : p.comm.startsWith('redis-server') ? 'redis' : p.pid === loadPid || p.pid === process.pid ? 'load' : undefined;
    if (party) share[party] += used(p);
  }
  const accounted = share.archspec + share.postgres + share.redis + share.load;
  share.other = Math.max(0, after.busy - before.busy - accounted);
  return { archspec: cores(share.archspec), postgres: cores(share.postgres), redis: cores(share.redis), load: cores(share.load), other: cores(share.other) };
}

// ---- Measuring ----

async function measure(load: LoadProcess, server: ServerProcess, users: LoadUser[], mix: Mix, instances: number): Promise<Measurement> {
  const job = (seconds: number): LoadJob => ({ origin: server.origin, seconds, connections: CONNECTIONS, users, createEvery: mix.createEvery, createBody: BODY });
  let warmupSeconds = 0;
  for (let previous: number | undefined; warmupSeconds < WARMUP_MAX_SECONDS; warmupSeconds += WARMUP_WINDOW) {
    const warm = await load.run(job(WARMUP_WINDOW));
    if (warm.failures > 0) console.log(`  warning: the warm-up of ${mix.name} at ${instances} instance(s) saw ${warm.failures} failures (${warm.statusCodes})`);
    const steady = previous !== undefined && Math.abs(warm.requestsPerSecond - previous) < 0.1 * previous;
    previous = warm.requestsPerSecond;
    if (steady && warmupSeconds + WARMUP_WINDOW >= Math.min(WARMUP_SECONDS * instances, WARMUP_MAX_SECONDS)) {
      warmupSeconds += WARMUP_WINDOW;
      break;
    }
  }
  const load1 = loadavg()[0]!;
  const before = cpuSnapshot();
  const result = await load.run(job(SECONDS));
  const cpu = cpuShare(before, cpuSnapshot(), server.child.pid ?? 0, load.pid);
  return { instances, result, load1, warmupSeconds, ...(cpu ? { cpu } : {}) };
}

/** Runs every mix at `instances` on a fresh database and Redis prefix; always cleans up. */
async function measureSize(load: LoadProcess, dir: string, specs: Record<'plain' | 'cached', string>, instances: number, servers: Set<ServerProcess>): Promise<Map<Mix, Measurement>> {
  const database = await createDatabase();
  const prefix = `archspec-bench-scale-${randomBytes(4).toString('hex')}:`;
  const env = serverEnv(database.url, prefix, join(dir, `data-${instances}`));
  const results = new Map<Mix, Measurement>();
  let users: LoadUser[] | undefined;
  try {
    for (const variant of ['plain', 'cached'] as const) {
      const server = await startArchspec(specs[variant], instances, env);
      servers.add(server);
      try {
        users ??= await createUsers(server.origin);
        for (const mix of MIXES.filter((m) => m.spec === variant)) results.set(mix, await measure(load, server, users, mix, instances));
      } finally {
        const code = await stopServer(server);
        servers.delete(server);
        if (code !== 0) console.log(`  warning: ${server.name} exited with ${code} after SIGTERM:\n${server.stderr().trim().split('\n').slice(-5).join('\n')}`);
      }
    }
  } finally {
    await database.drop();
    await deleteRedisKeys(prefix);
  }
  return results;
}

// ---- Printing ----

const cell = (value: string, width: number) => value.padStart(width);
const CPU_HEADER = 'cores used: archspec  postgres  redis  load  other   archspec CPU per request';

function printTable(mix: Mix, rows: Measurement[]): boolean {
  const base = rows.find((r) => r.instances === 1)!.result.requestsPerSecond;
  console.log(`\n${mix.name}`);
  console.log(`${cell('instances', 9)} ${cell('warm-up', 7)} ${cell('req/s', 7)} ${cell('p50 ms', 7)} ${cell('p99 ms', 7)} ${cell('non-2xx', 8)} ${cell('speed-up', 8)} ${cell('efficiency', 10)}   ${CPU_HEADER}`);
  let valid = true;
  for (const { instances, result: r, cpu, warmupSeconds } of rows) {
    const speedUp = r.requestsPerSecond / base;
    const cpuCells = cpu
      ? `${cell(cpu.archspec.toFixed(2), 20)} ${cell(cpu.postgres.toFixed(2), 9)} ${cell(cpu.redis.toFixed(2), 6)} ${cell(cpu.load.toFixed(2), 5)} ${cell(cpu.other.toFixed(2), 6)} ${cell(`${((cpu.archspec / r.requestsPerSecond) * 1e6).toFixed(0)} us`, 27)}`
      : '   (no /proc)';
    console.log(`${cell(String(instances), 9)} ${cell(`${warmupSeconds} s`, 7)} ${cell(r.requestsPerSecond.toFixed(0), 7)} ${cell(r.p50Ms.toFixed(1), 7)} ${cell(r.p99Ms.toFixed(1), 7)} ${cell(String(r.failures), 8)} ${cell(`${speedUp.toFixed(2)}x`, 8)} ${cell(`${((speedUp / instances) * 100).toFixed(0)}%`, 10)}   ${cpuCells}`);
    if (r.failures > 0) {
      console.log(`  INVALID: ${r.failures} of ${r.total} requests failed (${r.statusCodes})`);
      valid = false;
    }
  }
  return valid;
}

// ---- Main ----

const started = performance.now();
const servers = new Set<ServerProcess>();
let load: LoadProcess | undefined;
let dir: string | undefined;
let exitCode = 0;
try {
  await checkServices();
  dir = mkdtempSync(join(tmpdir(), 'archspec-scale-bench-'));
  const specs = { plain: specCopy(join(dir, 'spec-plain'), 'plain'), cached: specCopy(join(dir, 'spec-cached'), 'cached') };
  const cores = cpus().length;
  console.log(`machine: ${cores} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`archspec: node bin/archspec.js serve <copy of ${SPEC}> [--instances N] (bundle rebuilt before each start), LOG_LEVEL=warn`);
  console.log(`engines: PostgreSQL ${new URL(POSTGRES_URL).host} (a fresh database per N), Redis ${new URL(REDIS_URL).host} (a key prefix per N)`);
  console.log(`load: autocannon in a child process, ${CONNECTIONS} connections; per mix per N a warm-up (${WARMUP_WINDOW} s windows until two agree within 10%,`);
  console.log(`      at least ${WARMUP_SECONDS} s x N, at most ${WARMUP_MAX_SECONDS} s) then ${SECONDS} s measured;`);
  console.log(`      ${USERS} users in turn, reads rotate over each user's ${LINKS} own links; "cores used" is CPU time from /proc during the measured run`);
  if (cores < Math.max(...SIZES)) {
    console.log(`note: ${cores} cores. N instances share them with each other, PostgreSQL, Redis and the load generator, so efficiency at ${Math.max(...SIZES)} instances`);
    console.log(`      cannot exceed ${cores}/${Math.max(...SIZES)} = ${((cores / Math.max(...SIZES)) * 100).toFixed(0)}% even with nothing else running; the figures are what they are.`);
  }
  load = startLoadProcess();
  const bySize = new Map<number, Map<Mix, Measurement>>();
  for (const instances of SIZES) {
    process.stdout.write(`measuring ${instances} instance(s)... `);
    const t = performance.now();
    const measured = await measureSize(load, dir, specs, instances, servers);
    bySize.set(instances, measured);
    console.log(`${((performance.now() - t) / 1000).toFixed(0)} s: ${MIXES.map((m) => `${measured.get(m)!.result.requestsPerSecond.toFixed(0)} req/s`).join(', ')}`);
  }
  let valid = true;
  for (const mix of MIXES) valid = printTable(mix, SIZES.map((n) => bySize.get(n)!.get(mix)!)) && valid;
  console.log(`\nthe CLI ran from: ${[...modes].join(' and ')}`);
  console.log(`load average (1 min) at the start of each measured run: ${SIZES.map((n) => `N=${n}: ${MIXES.map((m) => bySize.get(n)!.get(m)!.load1.toFixed(2)).join('/')}`).join(', ')}`);
  console.log('no target: see the note above and docs/performance.md ("Scale-out")');
  exitCode = valid ? 0 : 1;
  console.log(`\n${valid ? 'VALID: every request answered 2xx' : 'INVALID: a run saw failed requests (see above)'} (whole benchmark ${((performance.now() - started) / 1000).toFixed(0)} s)`);
} catch (e) {
  if (!(e instanceof Unreachable)) throw e;
  console.error(`bench:scale: ${e.message}`);
  exitCode = 2;
} finally {
  await Promise.all([...servers].map((server) => stopServer(server)));
  await load?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
process.exitCode = exitCode;
