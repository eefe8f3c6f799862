import type { ComplianceControl } from '../../design-report.ts';

/**
 * One finding about a control: a spec fact that supports it (`has`), something still missing
 * (`needs`: what to add to the spec, or what must happen outside archspec), or both when a fact
 * covers the control only in part.
 */
export interface Evidence {
  has?: string;
  needs?: string;
}

/**
 * Judges a control from its evidence. It is `met` when some fact supports it and nothing is missing,
 * a `gap` when no fact supports it, and `partial` otherwise. `gap` joins every missing item, so a
 * reader sees all that stands between the spec and the control.
 *
 * @example
 * judge('Art. 32', 'Security of processing', [{ has: 'security.encryption.inTransit: tls1.3' }]).status // 'met'
 */
export function judge(id: string, title: string, evidence: Evidence[]): ComplianceControl {
  const satisfiedBy = unique(evidence.flatMap((e) => (e.has ? [e.has] : [])));
  const needs = unique(evidence.flatMap((e) => (e.needs ? [e.needs] : [])));
  if (satisfiedBy.length === 0) {
    return { id, title, satisfiedBy, status: 'gap', gap: needs.join('; ') || 'nothing in the spec addresses this control' };
  }
  if (needs.length === 0) return { id, title, satisfiedBy, status: 'met' };
  return { id, title, satisfiedBy, status: 'partial', gap: needs.join('; ') };
}

/** Work a control needs that no spec field can express; keeps a control with facts at `partial`. */
export function outside(what: string): Evidence {
  return { needs: `${what} (outside archspec)` };
}

/** "A, B and C" for people. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "is" or "are" for a list of things. */
export function isAre(items: readonly unknown[]): string {
  return items.length === 1 ? 'is' : 'are';
}

/** Whole days, as the spec writes durations: 400d. */
export function days(ms: number): string {
  return `${Math.ceil(ms / 86_400_000)}d`;
}

/** A duration as the spec would write it: 300ms, 15m, 30d. */
export function specDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
