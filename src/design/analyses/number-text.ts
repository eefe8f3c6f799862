/**
 * Numbers in the analyses' sentences, written the way the design document prints figures (en-US,
 * with thousands separators). The analyses keep their own formatter because they must not import
 * the sections, which consume them.
 *
 * @example
 * formatNumber(50000) // "50,000"
 * formatNumber(38.4615) // "38.5"
 * plural(1, 'request') // "1 request"
 * plural(253, 'instance') // "253 instances"
 */

const formats = new Map<number, Intl.NumberFormat>();

/**
 * A number with thousands separators and at most `maxFractionDigits` decimals, trailing zeros
 * dropped: formatNumber(1234.56) -> "1,234.6", formatNumber(0.333333, 6) -> "0.333333".
 */
export function formatNumber(value: number, maxFractionDigits = 1): string {
  let format = formats.get(maxFractionDigits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { maximumFractionDigits: maxFractionDigits });
    formats.set(maxFractionDigits, format);
  }
  return format.format(value);
}

/**
 * A count and its noun, agreeing in number: the singular only when the count reads "1"
 * ("1 request", "0.5 requests", "50,000 users"). Up to 6 decimals are kept, so a rate such as
 * 0.333333 requests a minute is not rounded away.
 */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  const text = formatNumber(n, 6);
  return `${text} ${text === '1' ? noun : nouns}`;
}
