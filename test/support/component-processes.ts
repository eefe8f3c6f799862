import { serviceUrlVariable } from '../../src/runtime/gateway/service-addresses.ts';
import { runCli, type CliRun } from './cli-process.ts';
import { freePort } from './free-port.ts';

/**
 * Running an example as separate component processes (`archspec serve --component NAME`), each on
 * a port chosen up front so the gateway can be told where its services are
 * (`ARCHSPEC_SERVICE_<NAME>_URL`). Every process logs at info; its JSON log lines are kept.
 */

/** One running component process. */
export interface ComponentProcess {
  name: string;
  port: number;
  run: CliRun;
  /** Everything the process wrote to standard output so far. */
  stdout(): string;
  /** Its JSON log lines so far. */
  lines(): Record<string, any>[];
}


/** Starts `archspec serve <spec> --component <name> --port <port> [args]` with `env` (args: e.g. `--instances 2`). */
export function startComponent(spec: string, name: string, port: number, env: Record<string, string>, args: string[] = []): ComponentProcess {
  const run = runCli(['serve', spec, '--component', name, '--port', String(port), ...args], { LOG_LEVEL: 'info', ...env });
  let stdout = '';
  run.child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  return {
    name, port, run,
    stdout: () => stdout,
    lines: () => stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>),
  };
}

/**
 * Starts every component of `names` at once, the gateway (if named) pointed at the others, and
 * waits for each banner. `env` goes to all; `envOf` adds per-component variables.
 */
export async function startComponents(spec: string, names: readonly string[], env: Record<string, string>, envOf: (name: string) => Record<string, string> = () => ({})): Promise<Map<string, ComponentProcess>> {
  const ports = new Map<string, number>();
  for (const name of names) ports.set(name, await freePort());
  const addresses = Object.fromEntries([...ports].map(([name, port]) => [serviceUrlVariable(name), `http://127.0.0.1:${port}`]));
  const processes = new Map(names.map((name) => [name, startComponent(spec, name, ports.get(name)!, { ...env, ...addresses, ...envOf(name) })]));
  try {
    await Promise.all([...processes.values()].map((p) => waitForBanner(p)));
  } catch (e) {
    await stopComponents(processes);
    throw e;
  }
  return processes;
}

/**
 * Waits for the process's start-up banner, at most `ms` (default 90 s: several processes starting
 * at once on a small machine share its cores); throws with its output if it exits first.
 */
export async function waitForBanner(p: ComponentProcess, ms = 90_000): Promise<void> {
  for (const end = Date.now() + ms; !/ is running \(port \d+/.test(p.run.stderr());) {
    if (p.run.child.exitCode !== null) throw new Error(`${p.name} exited early: ${p.run.stderr()}`);
    if (Date.now() > end) throw new Error(`${p.name} printed no banner within ${ms / 1000} s: ${p.run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM to each process still running; resolves when all have exited. */
export async function stopComponents(processes: Map<string, ComponentProcess>): Promise<void> {
  await Promise.all([...processes.values()].map(async (p) => {
    if (p.run.child.exitCode !== null || p.run.child.signalCode !== null) return;
    p.run.child.kill('SIGTERM');
    const timer = setTimeout(() => p.run.child.kill('SIGKILL'), 10_000);
    await p.run.exit;
    clearTimeout(timer);
  }));
}

/** Waits until `condition` holds (polling every 50 ms), at most `ms`; throws with `what()` otherwise. */
export async function until(condition: () => boolean | Promise<boolean>, what: () => string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !(await condition());) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
