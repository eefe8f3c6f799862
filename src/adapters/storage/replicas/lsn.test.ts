import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareLsn, formatLsn, laterLsn, parseLsn } from './lsn.ts';

const lsn = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

describe('WAL positions', () => {
  it('reads X/Y as the high and low 32 bits of one 64-bit offset', () => {
    expect(parseLsn('0/3016038')).toBe(0x3016038n);
    expect(parseLsn('16/B374D848')).toBe(0x16_B374D848n);
    expect(parseLsn('16/b374d848')).toBe(0x16_B374D848n);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe((1n << 64n) - 1n);
  });

  it('orders by the numbers, not the text', () => {
    // As text "0/A0000000" sorts after "1/0"; as positions it is before.
    expect(compareLsn(parseLsn('0/A0000000'), parseLsn('1/0'))).toBeLessThan(0);
    expect(compareLsn(parseLsn('1/10'), parseLsn('1/9'))).toBeGreaterThan(0);
    expect(compareLsn(parseLsn('1/09'), parseLsn('1/9'))).toBe(0);
  });

  it('rejects text that is not a position', () => {
    for (const text of ['', '0', '0/', '/0', '0/G', '123456789/0', '0/123456789', '-1/0', '0/0/0']) {
      expect(() => parseLsn(text), text).toThrow(RangeError);
    }
  });

  it('prints what it parses, as PostgreSQL does', () => {
    fc.assert(fc.property(lsn, (n) => {
      const text = formatLsn(n);
      expect(text).toMatch(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/);
      expect(parseLsn(text)).toBe(n);
    }));
  });

  it('compares parsed positions as their offsets compare', () => {
    fc.assert(fc.property(lsn, lsn, (a, b) => {
      expect(Math.sign(compareLsn(parseLsn(formatLsn(a)), parseLsn(formatLsn(b))))).toBe(a < b ? -1 : a > b ? 1 : 0);
      expect(laterLsn(a, b)).toBe(a > b ? a : b);
    }));
  });

  it('takes any position as later than none', () => {
    expect(laterLsn(undefined, 5n)).toBe(5n);
    expect(laterLsn(5n, undefined)).toBe(5n);
    expect(laterLsn(undefined, undefined)).toBeUndefined();
  });
});
