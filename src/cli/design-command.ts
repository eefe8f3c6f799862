import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { loadModel, printDiagnostics } from './load-model.ts';
import { renderDesign } from '../design/index.ts';

/** `archspec design <spec> [-o FILE] [--format md|html]`: renders the design document. */
export async function designCommand(file: string, options: { output?: string; format?: 'md' | 'html' }): Promise<number> {
  const { model, diagnostics } = await loadModel(file);
  if (!model) {
    printDiagnostics(diagnostics, 'text');
    return 1;
  }
  const format = options.format ?? (options.output && /\.html?$/i.test(extname(options.output)) ? 'html' : 'md');
  const document = await renderDesign(model, format);
  if (!options.output) {
    process.stdout.write(document);
    return 0;
  }
  await mkdir(dirname(options.output), { recursive: true });
  await writeFile(options.output, document);
  process.stderr.write(`wrote ${options.output} (${format}, ${Math.round(document.length / 1024)} KiB)\n`);
  return 0;
}
