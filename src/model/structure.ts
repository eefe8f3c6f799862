import type { z } from 'zod';
import { specSchema, type Spec } from '../spec/schema/index.ts';
import { UNKNOWN_KEYS_PREFIX } from '../spec/schema-kit.ts';
import type { SpecDocument, SpecPath } from '../spec/spec-document.ts';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../internal/suggest.ts';

/**
 * Structural validation: checks the raw tree against the spec schema and turns every schema issue
 * into a located diagnostic. Also returns the sections that are valid on their own, so the meaning
 * rules can still run on them and users see all problems in one run.
 */
export function validateStructure(doc: SpecDocument): { spec?: Spec; partial: Partial<Spec>; diagnostics: Diagnostic[] } {
  const result = specSchema.safeParse(doc.data);
  if (result.success) return { spec: result.data, partial: result.data, diagnostics: [] };

  const diagnostics = dropEchoes(result.error.issues.flatMap((issue) => issueToDiagnostics(issue, doc)));
  const partial: Record<string, unknown> = {};
  const raw = isRecord(doc.data) ? doc.data : {};
  for (const [key, sectionSchema] of Object.entries(specSchema.shape)) {
    const section = (sectionSchema as z.ZodType).safeParse(raw[key]);
    if (section.success && section.data !== undefined) partial[key] = section.data;
  }
  return { partial: partial as Partial<Spec>, diagnostics };
}

/**
 * A misspelt required field yields two issues: the unknown key and the missing one. Keep only the
 * unknown key, whose "did you mean" already names the missing field.
 */
function dropEchoes(list: Diagnostic[]): Diagnostic[] {
  const misspelt = new Set<string>();
  for (const d of list) {
    const m = d.code === 'field_unknown' ? /Did you mean "([^"]+)"/.exec(d.message) : null;
    if (m) misspelt.add(`${d.path.slice(0, d.path.lastIndexOf('.') + 1)}${m[1]}`);
  }
  return list.filter((d) => !(d.code === 'field_required' && misspelt.has(d.path)));
}

function issueToDiagnostics(issue: z.core.$ZodIssue, doc: SpecDocument): Diagnostic[] {
  const path = issue.path as SpecPath as (string | number)[];
  const here = (p: SpecPath = path, key = false) => doc.locate(p, { key });
  const value = valueAt(doc.data, path);
  if (value === undefined && issue.code !== 'unrecognized_keys' && issue.code !== 'custom' && path.length) {
    const field = String(path[path.length - 1]);
    return [diagnostic({ code: 'field_required', message: `missing required field "${field}"`, path, at: here(path.slice(0, -1)) })];
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known: string[] = issue.message.startsWith(UNKNOWN_KEYS_PREFIX) ? JSON.parse(issue.message.slice(UNKNOWN_KEYS_PREFIX.length)) : [];
      return issue.keys.map((key) =>
        diagnostic({
          code: 'field_unknown',
          message: `unknown field "${key}".${didYouMean(key, known)}`,
          hint: / /.test(key)
            ? 'Inside { } a comma starts a new field: put text that contains commas in quotes.'
            : known.length ? `Fields allowed here: ${known.filter((k) => k !== '$schema').join(', ')}.` : undefined,
          path: [...path, key],
          at: here([...path, key], true),
        }),
      );
    }
    case 'invalid_type':
      return [diagnostic({ code: 'field_type', message: `expected ${article(issue.expected)}, got ${describe(value)}`, path, at: here() })];
    case 'invalid_value': {
      const shown = issue.values.map(String);
      const suggestion = typeof value === 'string' ? didYouMean(value, shown) : '';
      return [diagnostic({ code: 'value_invalid', message: `${issue.message}${suggestion}`, path, at: here() })];
    }
    case 'custom':
      return [diagnostic({ code: issue.params?.code === 'value_out_of_range' ? 'value_out_of_range' : 'value_invalid', message: issue.message, path, at: here() })];
    case 'invalid_format':
      return [diagnostic({ code: 'value_invalid', message: issue.message, path, at: here() })];
    case 'too_small':
    case 'too_big':
      return [diagnostic({ code: 'value_out_of_range', message: rangeMessage(issue), path, at: here() })];
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'invalid name';
      return [diagnostic({ code: 'name_invalid', message: inner, path, at: here(path, true) })];
    }
    case 'invalid_union':
      return unionDiagnostics(issue, doc, value);
    default:
      return [diagnostic({ code: 'value_invalid', message: issue.message, path, at: here() })];
  }
}

/** A union failed: report the branch that got furthest (fewest issues, deepest paths) if any. */
function unionDiagnostics(issue: z.core.$ZodIssueInvalidUnion, doc: SpecDocument, value: unknown): Diagnostic[] {
  const branches = issue.errors.filter((b) => b.length && !(b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0));
  if (branches.length === 1 || (branches.length > 1 && isRecord(value))) {
    const best = branches.sort((a, b) => a.length - b.length)[0]!;
    return best.flatMap((inner) => issueToDiagnostics({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, doc));
  }
  const path = issue.path as (string | number)[];
  return [diagnostic({ code: 'field_type', message: issue.message === 'Invalid input' ? `${describe(value)} is not accepted here` : issue.message, path, at: doc.locate(path) })];
}

function rangeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  if (!issue.message.startsWith('Too ')) return issue.message;
  const bound = 'minimum' in issue ? issue.minimum : issue.maximum;
  const small = issue.code === 'too_small';
  if (issue.origin === 'array') return small ? `needs at least ${bound} item(s)` : `allows at most ${bound} item(s)`;
  if (issue.origin === 'string') return small ? `must not be empty` : `is longer than ${bound} characters`;
  return small ? `must be at least ${bound}` : `must be at most ${bound}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const p of path) v = isRecord(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function article(expected: string): string {
  const word = expected === 'object' ? 'mapping' : expected === 'array' ? 'list' : expected === 'string' ? 'text' : expected;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
