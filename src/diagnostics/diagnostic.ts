import { CATALOGUE, type DiagnosticCode } from './catalogue.ts';

/** Where in the user's text something is. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One problem found in a spec. Collected, never thrown. */
export interface Diagnostic extends SourceLocation {
  code: DiagnosticCode;
  severity: 'error' | 'warning';
  message: string;
  hint: string;
  /** Path of the offending node in the spec, e.g. `api.endpoints.POST /links.does`. */
  path: string;
}

/** Everything needed to create a diagnostic except what the catalogue supplies. */
export interface DiagnosticInput {
  code: DiagnosticCode;
  message: string;
  hint?: string;
  path: readonly (string | number)[];
  at: SourceLocation;
}

/** Builds a diagnostic, taking severity and the default hint from the catalogue. */
export function diagnostic(input: DiagnosticInput): Diagnostic {
  const entry = CATALOGUE[input.code];
  return {
    code: input.code,
    severity: entry.severity,
    message: input.message,
    hint: input.hint ?? entry.hint,
    path: formatPath(input.path),
    ...input.at,
  };
}

/** `['api', 'endpoints', 'POST /x', 'does']` -> `api.endpoints["POST /x"].does`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? (i ? '.' : '') + p : `["${p}"]`))
    .join('');
}

/** Sorts diagnostics by file, line, column so users read them top to bottom. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}

/** One diagnostic as a compiler-style text block: `file:line:col error code: message` + hint. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}\n  at ${d.path || '(root)'}\n  hint: ${d.hint}`;
}
