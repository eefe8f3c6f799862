import { UNIT_PATTERNS, parseRate } from '../../spec/units.ts';
import type { RateLimit, RateLimitRule, RateLimitScope } from '../system-model.ts';

/** What a spec's `rateLimit` holds: a rate (per caller) or rates per scope. */
export type RateLimitSpec = string | Partial<Record<Exclude<RateLimitScope, 'caller'>, string>>;

/** Scopes in the order limits are listed and rendered: narrowest budget first, the shared one last. */
const SCOPE_ORDER: RateLimitScope[] = ['caller', 'apiKey', 'user', 'ip', 'endpoint'];

/** How each scope is named after a rate: "60/min per user", "1000/min for the whole endpoint". */
const SCOPE_WORDS: Record<RateLimitScope, string> = {
  caller: 'per caller',
  user: 'per user',
  apiKey: 'per API key',
  ip: 'per IP',
  endpoint: 'for the whole endpoint',
};

const PERIOD_MS: Record<string, number> = {
  s: 1_000, sec: 1_000, second: 1_000,
  m: 60_000, min: 60_000, minute: 60_000,
  h: 3_600_000, hour: 3_600_000,
  d: 86_400_000, day: 86_400_000,
};

/**
 * A rate as a fixed window: `60/min` -> 60 per 60 000 ms. A fractional count keeps the rate and
 * widens the window so the count is whole (`0.5/s` -> 1 per 2 000 ms, `2.5/s` -> 2 per 800 ms);
 * `0/min` admits nothing. Throws RangeError for text that is not a rate.
 *
 * @example
 * rateWindow('10/hour') // { max: 10, windowMs: 3_600_000 }
 */
export function rateWindow(text: string): { max: number; windowMs: number } {
  const m = UNIT_PATTERNS.rate.exec(text.trim());
  if (!m) throw new RangeError(`"${text}" is not a rate`);
  const count = parseFloat(text);
  const periodMs = PERIOD_MS[m[2]!]!;
  if (count === 0 || Number.isInteger(count)) return { max: count, windowMs: periodMs };
  const max = Math.max(1, Math.floor(count));
  return { max, windowMs: Math.round((periodMs * max) / count) };
}

function rule(per: RateLimitScope, rate: string): RateLimitRule {
  return { per, rate, perSecond: parseRate(rate), ...rateWindow(rate) };
}

/** "60/min per user, 600/min per IP". */
export function describeRules(rules: readonly RateLimitRule[]): string {
  return rules.map((r) => `${r.rate} ${SCOPE_WORDS[r.per]}`).join(', ');
}

/**
 * The model of an endpoint's `rateLimit`: the string form is one `caller` rule; the mapping one rule
 * per scope it names, narrowest first.
 *
 * @example
 * buildRateLimit('60/min')            // { text: '60/min', description: '60/min per caller', rules: [{ per: 'caller', max: 60, ... }] }
 * buildRateLimit({ ip: '600/min', user: '60/min' }).text // '60/min per user, 600/min per IP'
 */
export function buildRateLimit(spec: RateLimitSpec): RateLimit {
  if (typeof spec === 'string') {
    const rules = [rule('caller', spec)];
    return { text: spec, description: describeRules(rules), rules };
  }
  const rules = SCOPE_ORDER.flatMap((per) => {
    const rate = per === 'caller' ? undefined : spec[per];
    return rate === undefined ? [] : [rule(per, rate)];
  });
  const description = describeRules(rules);
  return { text: description, description, rules };
}
