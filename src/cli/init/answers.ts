import { basename, resolve } from 'node:path';
import { COMPLIANCE_STANDARDS } from '../../spec/schema/index.ts';
import { UNIT_EXAMPLES, UNIT_PATTERNS, parsePercent } from '../../spec/units.ts';

/** Architecture styles `archspec init` offers (the ones a starter can be generated for). */
export const STARTER_STYLES = ['modular-monolith', 'microservices', 'event-driven'] as const;
/** One of {@link STARTER_STYLES}. */
export type StarterStyle = (typeof STARTER_STYLES)[number];
/** A compliance standard the spec language knows. */
export type ComplianceStandard = (typeof COMPLIANCE_STANDARDS)[number];

/** The template's key questions, answered. Every value is already validated and normalized. */
export interface InitAnswers {
  /** System name, free text ("My Shop 2"). */
  name: string;
  /** System type, e.g. "online shop". */
  type: string;
  /** What the system will do, completing "a {type} that will ...". */
  purpose: string;
  /** Main entity, PascalCase, never "User" (the account entity is always generated). */
  entity: string;
  style: StarterStyle;
  /** Concurrent users at launch. */
  users: number;
  /** Compound growth in the spec's unit, e.g. "5%/month". */
  growth: string;
  /** Availability target, e.g. "99.9%". */
  availability: string;
  compliance: ComplianceStandard[];
}

/**
 * The recommended answer to every question, for `--yes` and as the defaults shown when asking.
 * The system name comes from the directory; the purpose from the main entity.
 */
export function recommendedAnswers(dir: string, entity = 'Item'): InitAnswers {
  return {
    name: systemNameFrom(dir),
    type: 'web application backend',
    purpose: `let people create, find and manage their ${plural(words(entity))}`,
    entity,
    style: 'modular-monolith',
    users: 1000,
    growth: '5%/month',
    availability: '99.9%',
    compliance: [],
  };
}

/** Each validator returns a problem to show, or undefined when the text is acceptable. */
export const validate = {
  text: (v = '') => (v.trim() ? (v.trim().length > 200 ? 'keep it under 200 characters' : undefined) : 'an answer is needed'),
  entity: (v = '') => {
    const name = toEntityName(v);
    if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) return 'an entity name starts with a letter and has letters and digits, e.g. Order or OrderItem';
    return name === 'User' ? 'User is generated for accounts already; name the main thing your users work with' : undefined;
  },
  users: (v = '') => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 1e9 ? undefined : 'a whole number of users, e.g. 1000'),
  growth: (v = '') => (UNIT_PATTERNS.growth.test(v.trim()) ? undefined : `write ${UNIT_EXAMPLES.growth}`),
  availability: (v = '') => {
    if (!UNIT_PATTERNS.percent.test(v.trim())) return `write ${UNIT_EXAMPLES.percent}`;
    const a = parsePercent(v.trim());
    return a >= 0.9 && a < 1 ? undefined : 'choose a target from 90% to below 100%, e.g. 99.9%';
  },
  compliance: (v = '') => {
    const unknown = complianceItems(v).filter((s) => !canonicalStandard(s));
    return unknown.length ? `unknown standard ${unknown.join(', ')}; choose from ${COMPLIANCE_STANDARDS.join(', ')} or none` : undefined;
  },
};

/** "GDPR, soc2" -> ["GDPR", "SOC2"]; "none" or "" -> []. Call after `validate.compliance` passed. */
export function parseCompliance(v: string): ComplianceStandard[] {
  return [...new Set(complianceItems(v).map((s) => canonicalStandard(s)!))];
}

/** "order item", "order-item" or "orderItem" -> "OrderItem". */
export function toEntityName(v: string): string {
  return v
    .trim()
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** "OrderItem" -> "order-item": component, path and event names. */
export function kebab(entity: string): string {
  return entity.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/** "OrderItem" -> "order item": prose. */
export function words(entity: string): string {
  return kebab(entity).replace(/-/g, ' ');
}

/** English plural of the last word: item -> items, address -> addresses, category -> categories. */
export function plural(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return word.slice(0, -1) + 'ies';
  if (/(s|x|z|ch|sh)$/i.test(word)) return word + 'es';
  return word + 's';
}

function systemNameFrom(dir: string): string {
  const base = basename(resolve(dir)).replace(/[^A-Za-z0-9]+/g, ' ').trim();
  return base ? base.replace(/\b[a-z]/g, (c) => c.toUpperCase()) : 'My System';
}

function complianceItems(v: string): string[] {
  return v.split(/[\s,]+/).filter((s) => s && s.toLowerCase() !== 'none');
}

function canonicalStandard(s: string): ComplianceStandard | undefined {
  const key = s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return COMPLIANCE_STANDARDS.find((c) => c.replace(/[^A-Z0-9]/g, '') === key);
}
