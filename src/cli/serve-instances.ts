import cluster, { type Worker } from 'node:cluster';

/**
 * `archspec serve --instances N`: a supervisor process (node:cluster primary) runs N worker
 * processes that each build the server and listen on the same port; the operating system hands
 * each new connection to one worker (round robin). The supervisor never serves requests: it starts
 * the workers, prints one banner, restarts a worker that dies unexpectedly (backing off, giving up
 * after {@link MAX_CRASHES} crashes within {@link CRASH_WINDOW_MS}) and stops them all on
 * SIGTERM/SIGINT. Workers find out who they are from {@link instanceOf}.
 */

/** IPC messages between supervisor and workers. */
type InstanceMessage = { archspec: 'ready'; port: number } | { archspec: 'stop' };

/** Environment variable naming a worker's slot (1..N); set only by the supervisor. */
const INSTANCE_VAR = 'ARCHSPEC_INSTANCE';
/** The port a replacement worker listens on when the original `--port 0` can no longer be shared. */
const PORT_VAR = 'ARCHSPEC_INSTANCE_PORT';
/** More crashes than this within the window and the supervisor stops (something is broken, not flaky). */
export const MAX_CRASHES = 5;
export const CRASH_WINDOW_MS = 60_000;
/** Delay before the k-th recent restart: 0.5 s, 1 s, 2 s, 4 s (then 4 s). */
const restartDelayMs = (recentCrashes: number) => Math.min(500 * 2 ** (recentCrashes - 1), 4_000);

/** A worker's identity: its slot and, for a replacement, the port to listen on instead of `--port`. */
export interface InstanceIdentity {
  slot: number;
  port?: number;
}

/** This process's identity when it is a worker started by {@link superviseInstances}; undefined otherwise. */
export function instanceOf(env: NodeJS.ProcessEnv = process.env): InstanceIdentity | undefined {
  if (!cluster.isWorker || !env[INSTANCE_VAR]) return undefined;
  const port = env[PORT_VAR] ? Number(env[PORT_VAR]) : undefined;
  return { slot: Number(env[INSTANCE_VAR]), ...(port !== undefined ? { port } : {}) };
}

/** The `--instances` value: an integer of at least 1 (a usage error otherwise). */
export function parseInstances(text: string | undefined): number {
  if (text === undefined) return 1;
  const count = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || count < 1) throw new InstancesUsageError(`--instances "${text}" is not a whole number of at least 1`);
  return count;
}

/** A malformed `--instances`. */
export class InstancesUsageError extends Error {
  readonly code = 'invalid_instances';
}

/** Worker side: tells the supervisor this instance listens on `port` (it prints the banner once all do). */
export function reportReady(port: number): void {
  process.send?.({ archspec: 'ready', port } satisfies InstanceMessage);
}

/**
 * Worker side: runs `stop` (drain, release) when the supervisor says so or on a SIGTERM sent to
 * this worker alone; then exits with its code. SIGINT is ignored: Ctrl+C reaches the whole process
 * group and the supervisor coordinates the stop. A second SIGTERM exits 1 at once. A worker whose
 * supervisor vanished (SIGKILL) exits at once: node:cluster does that on an unannounced disconnect.
 */
export function stopInstanceOnRequest(stop: () => Promise<number>): void {
  let stopping = false;
  const run = () => {
    if (stopping) return;
    stopping = true;
    void stop().then((code) => process.exit(code), () => process.exit(1));
  };
  process.on('message', (message: InstanceMessage) => { if (message?.archspec === 'stop') run(); });
  process.on('SIGTERM', () => (stopping ? process.exit(1) : run()));
  process.on('SIGINT', () => {});
}

/** What the supervisor needs from `serve`: the count, the spec's port, and how to print the banner. */
export interface SupervisorOptions {
  instances: number;
  /** The configured port (0: the first worker picks one and every worker shares it). */
  port: number;
  banner: (port: number, pids: number[]) => void;
}

/**
 * Supervisor side: forks the workers (the first alone, so a start-up error is printed once, then
 * the rest together), prints the banner when all listen, and resolves with the exit code: 0 after
 * a signal once every worker drained, 1 when workers kept crashing, or the code of a worker that
 * failed to start (its one-line error already printed).
 *
 * @example
 * if (count > 1) return superviseInstances({ instances: count, port: config.port, banner: (port, pids) => print(port, pids) });
 */
export function superviseInstances(options: SupervisorOptions): Promise<number> {
  return new Promise((resolveExit) => {
    const workers = new Map<number, Worker>();
    const crashes: number[] = [];
    const timers = new Set<NodeJS.Timeout>();
    let realPort: number | undefined;
    let started = false;
    let stopping = false;
    let exitCode = 0;

    const finishWhenEmpty = () => { if (stopping && workers.size === 0) resolveExit(exitCode); };
    const stopAll = (code: number) => {
      stopping = true;
      exitCode = Math.max(exitCode, code);
      for (const timer of timers) clearTimeout(timer);
      for (const worker of workers.values()) if (worker.isConnected()) worker.send({ archspec: 'stop' } satisfies InstanceMessage); else worker.process.kill('SIGTERM');
      finishWhenEmpty();
    };

    const fork = (slot: number, onReady: (port: number) => void) => {
      // A port-0 listener is shared only while a worker holds it; with none left, reuse the port it got.
      const env: Record<string, string> = { [INSTANCE_VAR]: String(slot) };
      if (workers.size === 0 && realPort !== undefined) env[PORT_VAR] = String(realPort);
      const worker = cluster.fork(env);
      workers.set(slot, worker);
      let ready = false;
      worker.on('message', (message: InstanceMessage) => {
        if (message?.archspec !== 'ready' || ready) return;
        ready = true;
        // A worker still starting when the stop was sent could not act on it (it listens for it
        // only once it serves): tell it again now.
        if (stopping) {
          worker.send({ archspec: 'stop' } satisfies InstanceMessage);
          return;
        }
        realPort ??= message.port;
        onReady(message.port);
      });
      worker.on('exit', (code, signal) => {
        if (workers.get(slot) === worker) workers.delete(slot);
        if (stopping) {
          if (code !== 0) exitCode = 1;
          finishWhenEmpty();
          return;
        }
        if (!started) {
          // A worker that cannot start printed why; the others stop, and the supervisor exits with its code.
          stopAll(code && code > 0 ? code : 1);
          return;
        }
        restart(slot, worker.process.pid, signal ?? `code ${code}`);
      });
    };

    const restart = (slot: number, pid: number | undefined, how: string) => {
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
      if (crashes.length > MAX_CRASHES) {
        process.stderr.write(`archspec: instances crashed ${crashes.length} times within ${CRASH_WINDOW_MS / 1000} s (last: instance ${slot}, pid ${pid}, ${how}); giving up and stopping the others.\n`);
        stopAll(1);
        return;
      }
      const delay = restartDelayMs(crashes.length);
      process.stderr.write(`archspec: instance ${slot} (pid ${pid}) exited unexpectedly (${how}); starting a replacement in ${delay / 1000} s.\n`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (stopping) return;
        fork(slot, () => process.stderr.write(`archspec: instance ${slot} is serving again (pid ${workers.get(slot)?.process.pid}).\n`));
      }, delay);
      timers.add(timer);
    };

    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        for (const worker of workers.values()) worker.process.kill('SIGKILL');
        process.exit(1);
      }
      process.stderr.write(`${signal} received: each instance finishes its requests in flight, then stops.\n`);
      stopAll(0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    // The first worker alone: a port in use or a broken handler is reported once, not N times.
    fork(1, (port) => {
      if (stopping) return;
      let waiting = options.instances - 1;
      const allReady = () => {
        if (stopping) return;
        started = true;
        options.banner(port, [...workers.values()].map((w) => w.process.pid ?? 0));
      };
      if (waiting === 0) allReady();
      for (let slot = 2; slot <= options.instances; slot++) fork(slot, () => { if (--waiting === 0) allReady(); });
    });
  });
}
