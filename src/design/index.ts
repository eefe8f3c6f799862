import type { SystemModel } from '../model/system-model.ts';

/** Renders the design document of a model as Markdown or self-contained HTML. */
export async function renderDesign(model: SystemModel, format: 'md' | 'html'): Promise<string> {
  return `# ${model.system.name} (${format})\n`;
}
