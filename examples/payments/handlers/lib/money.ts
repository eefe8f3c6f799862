// Money helpers shared by the handlers. Decimal fields travel as strings ("12.34"); arithmetic happens in
// integer minor units (cents) so no amount ever passes through a binary float. Two decimal places cover
// every currency Tillpoint accepts today; zero-decimal currencies (JPY) would need the ISO 4217 exponent.

/** "12.34" (or 12.34) -> 1234n. Throws RangeError on more than two decimals or a malformed amount. */
export function toMinor(amount: string | number): bigint {
  const text = typeof amount === 'number' ? amount.toFixed(2) : amount.trim();
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not an amount with at most two decimals`);
  const minor = BigInt(match[2]!) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] ? -minor : minor;
}

/** 1234n -> "12.34"; -5n -> "-0.05". */
export function fromMinor(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Sum of decimal amounts, as a decimal string. */
export function sum(amounts: (string | number)[]): string {
  return fromMinor(amounts.reduce<bigint>((total, a) => total + toMinor(a), 0n));
}
