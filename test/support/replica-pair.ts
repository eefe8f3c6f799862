import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL primary and a streaming standby of it, made for one test file: the shared server on
 * 5432 takes no replication connections (and must not be changed), so this initdb's its own pair in
 * a temporary folder. The standby applies each commit `applyDelay` after the primary
 * (`recovery_min_apply_delay`), so a test can tell "read from the standby" from "read from the
 * primary" deterministically.
 *
 * Needs the server binaries (`initdb`, `pg_ctl`, `pg_basebackup`: `PG_BIN`, else the newest
 * /usr/lib/postgresql/<version>/bin, else `pg_config --bindir`). PostgreSQL refuses to run as root:
 * as root the binaries run as the `postgres` user (runuser). Without them {@link replicaPairSupport}
 * says why, so suites skip with that message; under `CI` it throws instead.
 *
 * @example
 * const support = await replicaPairSupport();
 * describe.skipIf(!support.bin)(`replicas (${support.reason})`, () => {
 *   let pair: ReplicaPair;
 *   beforeAll(async () => { pair = await startReplicaPair(support.bin!); });
 *   afterAll(() => pair.stop());
 * });
 */
export interface ReplicaPair {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` of the primary (trust authentication). */
  primaryUrl: string;
  /** The same database on the standby. */
  replicaUrl: string;
  /** The standby's apply delay, ms. */
  applyDelayMs: number;
  /** Stops the standby (fast shutdown: its connections are dropped). */
  stopReplica(): Promise<void>;
  /** Starts the standby again and waits until it accepts connections. */
  startReplica(): Promise<void>;
  /** Stops both servers at once and removes their folder. */
  stop(): Promise<void>;
  /** How long the set-up took, ms. */
  setupMs: number;
}

/** Where the PostgreSQL server binaries are, or why there are none. */
export async function replicaPairSupport(): Promise<{ bin?: string; reason: string }> {
  const bin = await serverBinaries();
  const usable = bin && (!asRoot || postgresIds());
  if (usable) return { bin, reason: `PostgreSQL ${bin.match(/postgresql\/(\d+)/)?.[1] ?? ''} binaries in ${bin}` };
  const reason = bin
    ? 'skipped: running as root without a postgres user to run the PostgreSQL binaries as'
    : 'skipped: no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup); install the postgresql package or set PG_BIN';
  if (process.env.CI) throw new Error(`read-replica tests need the PostgreSQL server binaries in CI: ${reason}`);
  return { reason };
}

async function serverBinaries(): Promise<string | undefined> {
  const has = (dir: string) => ['initdb', 'pg_ctl', 'pg_basebackup'].every((b) => existsSync(join(dir, b)));
  if (process.env.PG_BIN) return has(process.env.PG_BIN) ? process.env.PG_BIN : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(join(root, v, 'bin'))) return join(root, v, 'bin');
  }
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    return has(stdout.trim()) ? stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

const asRoot = process.getuid?.() === 0;

/** Runs a server binary, as the `postgres` user when this process is root. */
async function pg(bin: string, tool: string, args: string[]): Promise<void> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  try {
    await run(file, argv, { timeout: 60_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${tool} failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/**
 * Creates and starts the pair: a copy of an initdb'd cluster (trust authentication, replication allowed from 127.0.0.1),
 * the primary on a free port, pg_basebackup -R into the standby folder, the standby on another free
 * port with `recovery_min_apply_delay`. Both listen on 127.0.0.1 and keep their sockets in the folder.
 */
export async function startReplicaPair(bin: string, options: { applyDelayMs?: number } = {}): Promise<ReplicaPair> {
  const started = Date.now();
  const applyDelayMs = options.applyDelayMs ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'archspec-replicas-'));
  chmodSync(dir, 0o755);
  if (asRoot) chownSync(dir, ...postgresIds()!);
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const ctl = (data: string, ...args: string[]) => pg(bin, 'pg_ctl', ['-D', data, '-l', `${data}.log`, ...args]);
  const stopAll = async () => {
    await Promise.all([standby, primary].map((data) => ctl(data, '-m', 'immediate', 'stop').catch(() => {})));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('cp', ['-a', await initializedCluster(bin), primary]);
    appendFileSync(primary + '/postgresql.conf', [
      "listen_addresses = '127.0.0.1'", `port = ${primaryPort}`, `unix_socket_directories = '${dir}'`,
      'wal_level = replica', 'max_wal_senders = 4', 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', '',
    ].join('\n'));
    appendFileSync(primary + '/pg_hba.conf', 'host replication all 127.0.0.1/32 trust\n');
    await ctl(primary, '-w', 'start');
    await pg(bin, 'pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standby, '-R', '-X', 'stream', '-c', 'fast']);
    appendFileSync(standby + '/postgresql.conf', [`port = ${standbyPort}`, `recovery_min_apply_delay = '${applyDelayMs}ms'`, ''].join('\n'));
    await ctl(standby, '-w', 'start');
  } catch (e) {
    await stopAll();
    throw e;
  }
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    replicaUrl: `postgres://postgres@127.0.0.1:${standbyPort}/postgres`,
    applyDelayMs,
    setupMs: Date.now() - started,
    stopReplica: () => ctl(standby, '-m', 'fast', '-w', 'stop'),
    startReplica: () => ctl(standby, '-w', 'start'),
    stop: stopAll,
  };
}

/**
 * A freshly initdb'd, never started cluster (trust authentication), made once per machine and
 * binaries and copied for each pair: initdb is most of the set-up time. Made in a folder of its
 * own and renamed into place, so test files starting at once do not see a half-made one.
 */
async function initializedCluster(bin: string): Promise<string> {
  const template = join(tmpdir(), `archspec-pg-template-${bin.replace(/[^A-Za-z0-9]+/g, '-')}-${process.getuid?.() ?? 0}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const making = mkdtempSync(`${template}-making-`);
  chmodSync(making, 0o755);
  if (asRoot) chownSync(making, ...postgresIds()!);
  const data = join(making, 'data');
  await pg(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-instructions']);
  try {
    renameSync(data, template);
  } catch {
    // Another test file made it first.
  }
  rmSync(making, { recursive: true, force: true });
  return template;
}

/** uid and gid of the `postgres` user (the binaries run as it when this process is root); undefined without one. */
function postgresIds(): [number, number] | undefined {
  try {
    return [Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim())];
  } catch {
    return undefined;
  }
}

