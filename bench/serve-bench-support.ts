/**
 * Plumbing of `npm run bench:serve`: server child processes (started, found by the port in their
 * banner, stopped gracefully so `--cpu-prof` can write its profile), autocannon runs reduced to the
 * figures the benchmark prints, and small HTTP helpers for the setup requests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Whether bin/archspec.js will run the prebuilt bundle (the same test it makes): dist/main.js newer than every source file. */
export function runsBundle(): boolean {
  if (!existsSync('dist/main.js')) return false;
  const built = statSync('dist/main.js').mtimeMs;
  return readdirSync('src', { recursive: true }).every((entry) => statSync(join('src', String(entry))).mtimeMs <= built);
}

/** A server running in a child process. */
export interface ServerProcess {
  name: string;
  origin: string;
  child: ChildProcess;
  /** Everything the child wrote to standard error (for failures and the banner). */
  stderr: () => string;
}

/**
 * Spawns `node <args>` and resolves once standard error shows `portPattern` (whose first group is the
 * port). Rejects with the child's output when it exits first or takes longer than `timeoutMs`.
 */
export function startServer(name: string, args: string[], env: NodeJS.ProcessEnv, portPattern: RegExp, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start (${why}):\n${output}`));
    };
    const timer = setTimeout(() => fail(`no port after ${timeoutMs} ms`), timeoutMs);
    const exited = (code: number | null) => fail(`exited with ${code}`);
    child.once('exit', exited);
    let port: string | undefined;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (port) return;
      port = portPattern.exec(output)?.[1];
      if (!port) return;
      clearTimeout(timer);
      child.off('exit', exited);
      resolve({ name, origin: `http://127.0.0.1:${port}`, child, stderr: () => output });
    });
  });
}

/** Sends SIGTERM and resolves with the exit code once the child has drained and exited (SIGKILL after 10 s). */
export function stopServer(server: ServerProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve(server.child.exitCode);
    const force = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
    server.child.once('exit', (code) => { clearTimeout(force); resolve(code); });
    server.child.kill('SIGTERM');
  });
}

/** Sends a JSON request; throws with the response body unless the status is `expect`. */
export async function requestJson<T>(url: string, init: { method: string; body?: unknown; token?: string }, expect: number): Promise<T> {
  const response = await fetch(url, {
    method: init.method,
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  if (response.status !== expect) throw new Error(`${init.method} ${url}: expected ${expect}, got ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** One autocannon request description (see node_modules/autocannon/README.md). */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (request: LoadRequest) => LoadRequest;
}

/** The figures of one or more load runs against one server, merged. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Non-2xx answers, connection errors and timeouts: any of them makes the run invalid. */
  failures: number;
  statusCodes: string;
}

/** One autocannon run, not yet aggregated (its latency histogram is kept so runs can be merged). */
export interface LoadRun {
  totalCompletedRequests: number;
  duration: number;
}

interface AggregatedResult {
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface Autocannon {
  (options: Record<string, unknown>): Promise<LoadRun>;
  aggregateResult(runs: LoadRun[], options: Record<string, unknown>): AggregatedResult;
}
// autocannon is CommonJS without type declarations; this is the slice of its API the benchmark uses.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Loads `origin` with `request` from `connections` connections for `seconds`, from this process. */
export function runLoad(origin: string, request: LoadRequest, seconds: number, connections: number): Promise<LoadRun> {
  return autocannon({ url: origin, connections, duration: seconds, pipelining: 1, requests: [request], skipAggregateResult: true });
}

/** Merges runs against one server: requests per second over their whole duration, latency percentiles of all requests (1 ms resolution). */
export function summarize(origin: string, runs: LoadRun[], connections: number): LoadResult {
  const merged = autocannon.aggregateResult(runs, { url: origin, connections });
  const total = runs.reduce((sum, r) => sum + r.totalCompletedRequests, 0);
  const seconds = runs.reduce((sum, r) => sum + r.duration, 0);
  return {
    requestsPerSecond: total / seconds,
    p50Ms: merged.latency.p50,
    p99Ms: merged.latency.p99,
    total,
    failures: merged.non2xx + merged.errors + merged.timeouts,
    statusCodes: Object.entries(merged.statusCodeStats).map(([code, s]) => `${code}: ${s.count}`).join(', '),
  };
}
