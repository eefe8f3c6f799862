import type { SystemModel } from '../model/system-model.ts';
import { buildDesignReport } from './build-design-report.ts';
import { renderHtml } from './render/html.ts';
import { renderMarkdown } from './render/markdown.ts';
import { designDocument } from './sections/design-document.ts';

export { buildDesignReport };

/**
 * Renders the design document of a model: every template section filled from the spec, with the
 * computed analyses, diagrams, review findings and assumptions. `md` is GitHub-flavoured Markdown
 * (diagrams as ```mermaid blocks); `html` is one self-contained page (diagrams drawn offline).
 *
 * @example
 * const { model } = analyze(document);
 * await writeFile('design.md', await renderDesign(model!, 'md'));
 */
export async function renderDesign(model: SystemModel, format: 'md' | 'html'): Promise<string> {
  const tree = designDocument(buildDesignReport(model));
  return format === 'html' ? renderHtml(tree) : renderMarkdown(tree);
}
