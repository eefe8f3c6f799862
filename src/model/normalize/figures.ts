import type { SpecPath } from '../../spec/spec-document.ts';
import type * as M from '../system-model.ts';

/** Maps a spec path to its place in the user's text (and the formatted path). */
export type Loc = (path: SpecPath) => M.Located;

/** A figure the user stated. */
export const stated = (value: number): M.Figure => ({ value, assumed: false });
/** A figure archspec assumed because the spec is silent. */
export const assumed = (value: number): M.Figure => ({ value, assumed: true });
/** Parses `text` when given, else the assumed `fallback`. */
export const figure = (text: string | undefined, parse: (t: string) => number, fallback: number): M.Figure =>
  text === undefined ? assumed(fallback) : stated(parse(text));
