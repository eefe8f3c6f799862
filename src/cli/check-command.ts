import { loadModel, printDiagnostics } from './load-model.ts';

/** `archspec check <spec>`: validates a spec; exit 0 when valid, 1 when not. */
export async function checkCommand(file: string, options: { format: 'text' | 'json' }): Promise<number> {
  const { model, diagnostics } = await loadModel(file);
  printDiagnostics(diagnostics, options.format);
  if (model && options.format === 'text') {
    const m = model;
    process.stdout.write(
      `${file}: valid. ${m.system.name}: ${m.architecture.components.length} components, ${m.entities.length} entities, ` +
        `${m.api.endpoints.length} endpoints, ${m.flows.length} flows.\n`,
    );
  }
  return model ? 0 : 1;
}
