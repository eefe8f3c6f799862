import type { Figure } from '../../model/system-model.ts';
import { formatDuration, formatPercent, round } from '../../spec/units.ts';

/**
 * Number and word formatting shared by the sections, so one figure reads the same everywhere.
 *
 * @example
 * availability(0.99930123) // "99.9301%"
 * rps(49248.66) // "49,249"
 * words(['a', 'b', 'c']) // "a, b and c"
 */

/** An availability for people: as many decimals as its nines need (one formatter for the whole document). */
export { percent as availability } from '../analyses/availability-budget.ts';

/** A share or ratio as a percentage, up to 4 decimals: 0.0072 -> "0.72%". */
export function percent(fraction: number): string {
  return formatPercent(fraction, 4);
}

/** Requests per second with thousands separators; decimals only for small rates. */
export function rps(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 2 : value < 100 ? 1 : 0 });
}

/** A count with thousands separators, rounded to a whole number. */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A number with up to `digits` decimals and thousands separators. */
export function decimal(value: number, digits = 2): string {
  return round(value, digits).toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Milliseconds for people: "50 ms", "2 s", "21.6 min". */
export function duration(ms: number): string {
  return formatDuration(ms);
}

/** A computed latency, to a tenth of a millisecond: 11.7647 -> "11.8 ms". */
export function latency(ms: number): string {
  return formatDuration(round(ms, 1));
}

/** "a", "a and b", "a, b and c"; `none` when the list is empty. */
export function words(items: readonly string[], none = 'none'): string {
  if (items.length === 0) return none;
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "1 component", "3 components". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : nouns}`;
}

/** A figure with "(assumed)" appended when archspec assumed it. */
export function figure(f: Figure, format: (v: number) => string): string {
  return f.assumed ? `${format(f.value)} (assumed)` : format(f.value);
}

export { endpointPath } from '../endpoint-path.ts';

/**
 * "a" or "an" for a phrase, by its first word: "an order platform", "a URL shortener",
 * "an HTTP API", "a user store", "an unread count".
 */
export function article(phrase: string): 'a' | 'an' {
  const word = phrase.trim().split(/\s/)[0] ?? '';
  if (/^[A-Z]{2,}/.test(word)) return /^[AEFHILMNORSX]/.test(word) ? 'an' : 'a';
  if (/^[aeio]/i.test(word)) return 'an';
  return /^un(?!i)/i.test(word) ? 'an' : 'a';
}

/** Upper-cases the first letter. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
