import { specSchema, requirements, type Spec } from '../../spec/schema/index.ts';
import type { SpecDocument, SpecPath } from '../../spec/spec-document.ts';
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { DiagnosticCode } from '../../diagnostics/catalogue.ts';
import { didYouMean } from '../../internal/suggest.ts';

/**
 * What every meaning rule receives: the sections that passed structural validation, the names each
 * kind of reference may resolve to (undefined when that section is itself invalid, so no rule
 * reports a dangling reference that is only a consequence of another error), and `report`.
 */
export interface RuleContext {
  spec: Partial<Spec>;
  doc: SpecDocument;
  entities?: Set<string>;
  components?: Set<string>;
  integrations?: Set<string>;
  events?: Set<string>;
  roles?: Set<string>;
  endpoints?: Set<string>;
  operations?: Set<string>;
  flows?: Set<string>;
  jobs?: Set<string>;
  /** Field names of an entity, from the raw tree (undefined when the entity or its fields are unusable). */
  fieldsOf(entity: string): Set<string> | undefined;
  report(code: DiagnosticCode, message: string, path: SpecPath, options?: { key?: boolean; hint?: string }): void;
  /** `name` must be in `known`; otherwise reports `code` with a "did you mean". Returns whether it resolved. */
  expect(known: Set<string> | undefined, name: string, code: DiagnosticCode, what: string, path: SpecPath, options?: { key?: boolean }): boolean;
}

/** The storage targets a flow step or redundancy entry may name besides components and integrations. */
export const STORAGE_TARGETS = ['primary', 'cache', 'queue'] as const;

export function createRuleContext(spec: Partial<Spec>, doc: SpecDocument, out: Diagnostic[]): RuleContext {
  // Names come from the raw tree, so a reference can be checked even when the section declaring
  // the names has an unrelated error. A set is undefined only when the declaring mapping is unusable.
  const raw = doc.data;
  const keysAt = (...path: string[]): Set<string> | undefined => {
    let v: unknown = raw;
    for (const p of path) v = isRecord(v) ? v[p] : undefined;
    return isRecord(v) ? new Set(Object.keys(v)) : undefined;
  };
  // An absent optional mapping declares no names, but only when its parent has no misspelt key
  // (`integrationz:` must not turn every integration reference into a second error).
  const orEmpty = (set: Set<string> | undefined, parent: Set<string> | undefined, allowed: readonly string[]) =>
    set ?? (parent && [...parent].every((k) => allowed.includes(k)) ? new Set<string>() : undefined);
  const ctx: RuleContext = {
    spec,
    doc,
    entities: keysAt('data'),
    components: keysAt('architecture', 'components'),
    integrations: orEmpty(keysAt('requirements', 'integrations'), keysAt('requirements'), Object.keys(requirements.shape)),
    events: orEmpty(keysAt('events'), keysAt(), Object.keys(specSchema.shape)),
    roles: keysAt('security', 'roles'),
    endpoints: keysAt('api', 'endpoints'),
    operations: keysAt('requirements', 'nonFunctional', 'latency'),
    flows: keysAt('flows'),
    jobs: orEmpty(keysAt('jobs'), keysAt(), Object.keys(specSchema.shape)),
    fieldsOf: (entity) => keysAt('data', entity, 'fields'),
    report(code, message, path, options) {
      out.push(diagnostic({ code, message, hint: options?.hint, path, at: doc.locate(path, { key: options?.key }) }));
    },
    expect(known, name, code, what, path, options) {
      if (!known || known.has(name)) return true;
      ctx.report(code, `${what} "${name}" does not exist.${didYouMean(name, known)}`, path, options);
      return false;
    },
  };
  return ctx;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
