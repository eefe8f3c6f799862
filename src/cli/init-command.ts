import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { intro, outro } from '@clack/prompts';
import { askAnswers, type InitFlags } from './init/ask.ts';
import { starterSpec } from './init/starter-spec.ts';
import { loadModel, printDiagnostics } from './load-model.ts';

/** Options of `archspec init`: the answer flags plus `--yes` and `--force`. */
export interface InitOptions extends InitFlags {
  yes?: boolean;
  force?: boolean;
}

/**
 * `archspec init [dir]`: asks the template's key questions (or takes flags; `--yes`, or stdin not being a
 * terminal, takes the recommended answer for the rest), writes `<dir>/archspec.yaml`, validates it like
 * `check` and prints the next steps. Exit 0 when written and valid; 1 when the file exists without
 * `--force`, the user cancels, or (a bug) the starter does not validate.
 */
export async function initCommand(dir: string, options: InitOptions): Promise<number> {
  const file = join(dir, 'archspec.yaml');
  if (existsSync(file) && !options.force) {
    process.stderr.write(`archspec: ${file} already exists; pass --force to overwrite it\n`);
    return 1;
  }
  const interactive = !options.yes && process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (interactive) intro('archspec init: a few questions, each with a recommended answer (press enter to take it)');
  const answers = await askAnswers(dir, options, interactive);
  if (!answers) return 1;

  await mkdir(dir, { recursive: true });
  await writeFile(file, starterSpec(answers), { flag: options.force ? 'w' : 'wx' });
  const { model, diagnostics } = await loadModel(file);
  printDiagnostics(diagnostics, 'text');
  if (!model) return 1;

  const summary = `wrote ${file}: ${model.system.name}, ${model.architecture.style}, ${model.entities.length} entities, ${model.api.endpoints.length} endpoints, ${model.flows.length} flows (valid)`;
  const next = [
    'next steps:',
    `  1. read ${file}: every recommended choice has a comment saying why; make it yours`,
    `  2. archspec check ${file}`,
    `  3. archspec design ${file} -o design.html`,
  ].join('\n');
  if (interactive) outro(`${summary}\n${next}`);
  else process.stdout.write(`${summary}\n${next}\n`);
  return 0;
}
