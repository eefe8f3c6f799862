import type { Spec } from '../../spec/schema/index.ts';
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
  report(code: DiagnosticCode, message: string, path: SpecPath, options?: { key?: boolean; hint?: string }): void;
  /** `name` must be in `known`; otherwise reports `code` with a "did you mean". Returns whether it resolved. */
  expect(known: Set<string> | undefined, name: string, code: DiagnosticCode, what: string, path: SpecPath, options?: { key?: boolean }): boolean;
}

/** The storage targets a flow step or redundancy entry may name besides components and integrations. */
export const STORAGE_TARGETS = ['primary', 'cache', 'queue'] as const;

export function createRuleContext(spec: Partial<Spec>, doc: SpecDocument, out: Diagnostic[]): RuleContext {
  const keys = (o: object | undefined) => (o ? new Set(Object.keys(o)) : undefined);
  const ctx: RuleContext = {
    spec,
    doc,
    entities: keys(spec.data),
    components: keys(spec.architecture?.components),
    integrations: spec.requirements ? keys(spec.requirements.integrations ?? {}) : undefined,
    events: keys(spec.events ?? (spec.architecture ? {} : undefined)),
    roles: keys(spec.security?.roles),
    endpoints: keys(spec.api?.endpoints),
    operations: keys(spec.requirements?.nonFunctional.latency),
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
