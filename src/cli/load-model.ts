import { loadSpec } from '../spec/load-spec.ts';
import { analyze } from '../model/analyze.ts';
import { diagnostic, formatDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { SystemModel } from '../model/system-model.ts';

/** Reads and analyzes a spec; every reading problem becomes a diagnostic too. */
export async function loadModel(file: string): Promise<{ model?: SystemModel; diagnostics: Diagnostic[] }> {
  const { document, problems } = await loadSpec(file);
  if (!document) {
    return { diagnostics: problems.map((p) => diagnostic({ code: p.code, message: p.message, path: [], at: p.at })) };
  }
  return analyze(document);
}

/** Prints diagnostics for people (or as JSON) to stderr/stdout. */
export function printDiagnostics(diagnostics: Diagnostic[], format: 'text' | 'json'): void {
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ ok: !diagnostics.some((d) => d.severity === 'error'), diagnostics }, null, 2) + '\n');
    return;
  }
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n\n');
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (errors) process.stderr.write(`${errors} error${errors === 1 ? '' : 's'} found.\n`);
}
