import type { Command } from 'commander';

/** An operational failure the CLI explains in one line (with a hint), never with a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/**
 * Wraps a command: sets the exit code from its result, turns every thrown error into one clear line
 * (stack trace only with --debug).
 */
export function runCommand<A extends unknown[]>(program: Command, fn: (...args: A) => Promise<number>) {
  return async (...args: A) => {
    try {
      process.exitCode = await fn(...args);
    } catch (e) {
      const error = e as Error & { code?: string; path?: string };
      if (program.opts().debug) console.error(error);
      else if (typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code) && error.path) {
        // File-system failures (missing directory, no permission) are the user's environment, not a bug.
        process.stderr.write(`archspec: cannot write or read ${error.path}: ${error.code}\n`);
        process.stderr.write('hint: check that the directory exists and is writable.\n');
      }
      else {
        process.stderr.write(`archspec: ${error.message}\n`);
        if (e instanceof CliError && e.hint) process.stderr.write(`hint: ${e.hint}\n`);
        else if (!(e instanceof CliError)) process.stderr.write('hint: this is a bug in archspec; rerun with --debug and report the output.\n');
      }
      process.exitCode = 2;
    }
  };
}
