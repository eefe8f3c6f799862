/**
 * The load generator of `npm run bench:scale` in a process of its own. autocannon is single-threaded
 * and the machine may have as few cores as servers; run from the benchmark's own process, its event
 * loop would share a thread with the orchestration and any CPU sampling. The benchmark forks this
 * file once ({@link startLoadProcess}) and sends it jobs as data over the IPC channel; the child builds
 * the requests (the rotation over users and links is a closure, which cannot cross processes), runs
 * autocannon and answers the merged figures.
 *
 * Run directly it does nothing useful; it expects to be forked by {@link startLoadProcess}.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runLoad, summarize, type LoadRequest, type LoadResult } from './serve-bench-support.ts';

/** One user of the load: an access token and the codes of links that user owns. */
export interface LoadUser {
  token: string;
  codes: string[];
}

/**
 * A load on Linkly's API, described as data. Every request picks the next user in turn (so all
 * users' connections and per-user paths are exercised) and, for a read, that user's next own link:
 * `GET /api/links/{code}` with the user's Bearer token. With `createEvery` = k > 0, every k-th
 * request (counted over all connections) is `POST /api/links` with `createBody` instead.
 */
export interface LoadJob {
  origin: string;
  seconds: number;
  connections: number;
  users: LoadUser[];
  /** 0: reads only; k: one request in k is a create (5: 80% reads, 20% creates). */
  createEvery: number;
  createBody: string;
}

type JobMessage = { id: number; job: LoadJob };
type ResultMessage = { id: number; result: LoadResult } | { id: number; error: string };

/** The autocannon request of `job`: a template whose setupRequest picks each request's method, path, token and body. */
export function linkMix(job: LoadJob): LoadRequest {
  if (job.users.length === 0 || job.users.some((u) => u.codes.length === 0)) throw new Error('load job: every user needs at least one link');
  let request = 0;
  const nextLink = job.users.map(() => 0);
  const first = job.users[0]!;
  return {
    method: 'GET', path: `/api/links/${first.codes[0]}`, headers: { authorization: `Bearer ${first.token}` },
    setupRequest: (template): LoadRequest => {
      const n = request++;
      const u = n % job.users.length;
      const user = job.users[u]!;
      if (job.createEvery > 0 && n % job.createEvery === job.createEvery - 1) {
        return { ...template, method: 'POST', path: '/api/links', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }, body: job.createBody };
      }
      const k = nextLink[u]!;
      nextLink[u] = k + 1;
      const code = user.codes[k % user.codes.length]!;
      return { ...template, method: 'GET', path: `/api/links/${code}`, headers: { authorization: `Bearer ${user.token}` }, body: '' };
    },
  };
}

/** The parent's handle on a load process. */
export interface LoadProcess {
  /** Runs `job` in the child; resolves with its figures (rejects when autocannon failed or the child died). */
  run(job: LoadJob): Promise<LoadResult>;
  /** The child's process id (to account its CPU time). */
  pid: number;
  close(): Promise<void>;
}

/** Forks this file under tsx and returns a handle that runs one job at a time. */
export function startLoadProcess(): LoadProcess {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 0;
  const pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  child.on('message', (message: ResultMessage) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if ('result' in message) waiter.resolve(message.result);
    else waiter.reject(new Error(`load process: ${message.error}`));
  });
  child.on('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load process exited (${signal ?? `code ${code}`})`));
    pending.clear();
  });
  return {
    pid: child.pid ?? 0,
    run(job) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, job } satisfies JobMessage);
      });
    },
    close() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      });
    },
  };
}

/** Child side: answers each job with autocannon's merged figures; exits when the parent disconnects. */
function serveJobs(): void {
  process.on('message', (message: JobMessage) => {
    const { id, job } = message;
    runLoad(job.origin, linkMix(job), job.seconds, job.connections).then(
      (run) => process.send!({ id, result: summarize(job.origin, [run], job.connections) } satisfies ResultMessage),
      (e: unknown) => process.send!({ id, error: (e as Error).message } satisfies ResultMessage),
    );
  });
}

if (process.send && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) serveJobs();
