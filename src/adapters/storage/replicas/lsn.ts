/**
 * PostgreSQL write-ahead log positions (LSNs). PostgreSQL prints one as two hexadecimal numbers,
 * the high and low 32 bits of a 64-bit byte offset: `16/B374D848`. Positions are compared as the
 * 64-bit numbers they stand for (as text, `0/A0000000` would sort after `1/0`).
 */

/** A WAL position as a 64-bit byte offset. */
export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/**
 * The position `text` names (`X/Y`, each part 1 to 8 hexadecimal digits).
 *
 * @throws RangeError when `text` is not an LSN.
 * @example
 * parseLsn('16/B374D848') // 0x16B374D848n
 */
export function parseLsn(text: string): Lsn {
  const match = LSN_TEXT.exec(text.trim());
  if (!match) throw new RangeError(`"${text.slice(0, 40)}" is not a WAL position (X/Y in hexadecimal)`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** `lsn` as PostgreSQL prints it: upper-case hexadecimal without leading zeros (`16/B374D848`). */
export function formatLsn(lsn: Lsn): string {
  if (lsn < 0n || lsn >= 1n << 64n) throw new RangeError(`${lsn} is outside the 64-bit WAL range`);
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Negative when `a` is before `b`, 0 when equal, positive when after. */
export function compareLsn(a: Lsn, b: Lsn): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The later of two positions (`undefined` counts as before every position). */
export function laterLsn(a: Lsn | undefined, b: Lsn | undefined): Lsn | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}
