/**
 * archspec's public API. The CLI is a thin layer over these functions.
 *
 * @example
 * import { loadSpec, analyze, renderDesign } from 'archspec';
 * const { document, problems } = await loadSpec('archspec.yaml');
 * const { model, diagnostics } = analyze(document!);
 * if (model) console.log(await renderDesign(model, 'md'));
 */
export { defineSystem } from './spec/define-system.ts';
export { loadSpec } from './spec/load-spec.ts';
export { parseYamlSpec } from './spec/parse-yaml.ts';
export { specJsonSchema } from './spec/json-schema.ts';
export { specSchema } from './spec/schema/index.ts';
export type { Spec, SpecInput } from './spec/schema/index.ts';
export type { SpecDocument, SpecPath, ReadResult, ReadProblem } from './spec/spec-document.ts';
export { analyze } from './model/analyze.ts';
export type { AnalyzeResult } from './model/analyze.ts';
export type * from './model/system-model.ts';
export { formatDiagnostic } from './diagnostics/diagnostic.ts';
export type { Diagnostic, SourceLocation } from './diagnostics/diagnostic.ts';
export { CATALOGUE } from './diagnostics/catalogue.ts';
export type { DiagnosticCode } from './diagnostics/catalogue.ts';
export { renderDesign, buildDesignReport } from './design/index.ts';
export type * from './design/design-report.ts';
