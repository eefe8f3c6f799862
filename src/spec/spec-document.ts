import type { SourceLocation } from '../diagnostics/diagnostic.ts';

/** A path into the spec tree: object keys and array indexes. */
export type SpecPath = readonly (string | number)[];

/**
 * Phase 1 output: the raw spec tree plus a way back to the user's text. Every later error can point
 * at the line and column of the node (or, with `key`, the key) at `path`; a path that does not exist
 * resolves to its nearest existing ancestor.
 */
export interface SpecDocument {
  file: string;
  data: unknown;
  locate(path: SpecPath, options?: { key?: boolean }): SourceLocation;
}

/** A problem found while reading the text (syntax, duplicate keys), before any validation. */
export interface ReadProblem {
  code: 'yaml_syntax' | 'yaml_duplicate_key' | 'spec_file_unreadable' | 'spec_ts_invalid';
  message: string;
  at: SourceLocation;
}

export interface ReadResult {
  document?: SpecDocument;
  problems: ReadProblem[];
}
