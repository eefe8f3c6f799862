import { describe, it, expect } from 'vitest';
import { formatNumber, plural } from './number-text.ts';

describe('formatNumber', () => {
  it('separates thousands', () => {
    expect(formatNumber(50000)).toBe('50,000');
    expect(formatNumber(1_234_567)).toBe('1,234,567');
  });

  it('keeps at most the given decimals and drops trailing zeros', () => {
    expect(formatNumber(38.4615)).toBe('38.5');
    expect(formatNumber(900)).toBe('900');
    expect(formatNumber(1234.5678, 2)).toBe('1,234.57');
    expect(formatNumber(2.5, 0)).toBe('3');
  });
});

describe('plural', () => {
  it('uses the singular for exactly one', () => {
    expect(plural(1, 'request')).toBe('1 request');
    expect(plural(1, 'replica')).toBe('1 replica');
  });

  it('uses the plural for other counts, fractions and zero', () => {
    expect(plural(2, 'request')).toBe('2 requests');
    expect(plural(0.5, 'request')).toBe('0.5 requests');
    expect(plural(0, 'attempt')).toBe('0 attempts');
    expect(plural(50000, 'user')).toBe('50,000 users');
  });

  it('takes an irregular plural', () => {
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });

  it('keeps up to six decimals of a rate', () => {
    expect(plural(1 / 3, 'request')).toBe('0.333333 requests');
  });
});
