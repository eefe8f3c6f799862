import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { vi } from 'vitest';

/**
 * Running the real CLI from tests: `runCli` spawns `node bin/archspec.js <args>` (logs at warn),
 * `bannerPort` waits for `archspec serve`'s banner and returns its port, `captureStdout` runs a
 * command function in-process and collects what it prints.
 */

/** The CLI entry point, as users run it. */
export const BIN = join(process.cwd(), 'bin', 'archspec.js');

/** A spawned CLI process: its standard error so far, and its exit code once it ends. */
export interface CliRun {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Spawns `archspec <args>` with `env` added to this process's environment. */
export function runCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

/** The port from `archspec serve`'s banner (waits up to `timeoutMs`, default 30 s); throws with its output if it exits first. */
export async function bannerPort(r: CliRun, timeoutMs = 30_000): Promise<number> {
  for (let i = 0; i < timeoutMs / 100; i++) {
    const match = /running \(port (\d+)/.exec(r.stderr());
    if (match) return Number(match[1]);
    if (r.child.exitCode !== null) throw new Error(`serve exited early: ${r.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no banner: ${r.stderr()}`);
}

/** Runs a command function in-process; returns its exit code and what it wrote to standard output. */
export async function captureStdout(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  try {
    return { code: await run(), out };
  } finally {
    spy.mockRestore();
  }
}
