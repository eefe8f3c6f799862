import { describe, expect, it } from 'vitest';
import {
  formatSize,
  UNIT_EXAMPLES, UNIT_PATTERNS, formatDuration, formatPercent, parseDuration, parseGrowth, parseHorizon,
  parsePercent, parseRate, parseSize, round, type UnitKind,
} from './units.ts';

describe('parseDuration', () => {
  it.each([
    ['300ms', 300], ['0ms', 0], ['1.5s', 1_500], ['15m', 900_000], ['1h', 3_600_000], ['30d', 2_592_000_000], ['2w', 1_209_600_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('ignores surrounding spaces', () => {
    expect(parseDuration(' 2m ')).toBe(120_000);
  });

  it.each(['300 ms', 'fast', '10', '-5s', '1e3ms', '1.s', 's', '2 weeks', '5sec', ''])('rejects %j with a RangeError naming the format', (text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
    expect(() => parseDuration(text)).toThrow(UNIT_EXAMPLES.duration);
  });
});

describe('parsePercent', () => {
  it.each([['99.95%', 0.9995], ['0%', 0], ['100%', 1], ['10%', 0.1], ['50.5%', 0.505]])('reads %s as the fraction %d', (text, fraction) => {
    expect(parsePercent(text)).toBeCloseTo(fraction, 12);
  });

  it.each(['10 %', '99.9', '%', '-1%', '.5%', 'ten%'])('rejects %j', (text) => {
    expect(() => parsePercent(text)).toThrow(RangeError);
  });
});

describe('parseGrowth', () => {
  it('reads a monthly rate as it is', () => {
    expect(parseGrowth('10%/month')).toBeCloseTo(0.1, 12);
  });

  it('converts a yearly rate to the monthly rate that compounds to it', () => {
    const monthly = parseGrowth('50%/year');
    expect((1 + monthly) ** 12).toBeCloseTo(1.5, 10);
  });

  it('converts a weekly rate to the monthly rate that compounds over 52/12 weeks', () => {
    const monthly = parseGrowth('1%/week');
    expect(1 + monthly).toBeCloseTo(1.01 ** (52 / 12), 12);
  });

  it('accepts shrinking and flat growth', () => {
    expect(parseGrowth('-5%/month')).toBeCloseTo(-0.05, 12);
    expect(parseGrowth('0%/year')).toBe(0);
  });

  it.each(['10%', '10%/day', '10/month', '5% monthly', '10 %/month'])('rejects %j', (text) => {
    expect(() => parseGrowth(text)).toThrow(RangeError);
  });
});

describe('parseSize', () => {
  it.each([
    ['512B', 512], ['512KB', 512_000], ['1.5GB', 1.5e9], ['2TB', 2e12], ['10MiB', 10 * 1024 ** 2], ['1.5 KiB', 1536], ['1GiB', 1024 ** 3], ['1TiB', 1024 ** 4],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['10mb', '10', 'MB', '1.5  GB', '10 kB'])('rejects %j (units are case-sensitive)', (text) => {
    expect(() => parseSize(text)).toThrow(RangeError);
  });
});

describe('parseHorizon', () => {
  it.each([['24 months', 24], ['1 month', 1], ['24months', 24], ['2 years', 24], ['1 year', 12]])('reads %s as %d months', (text, months) => {
    expect(parseHorizon(text)).toBe(months);
  });

  it.each(['1.5 years', '2 weeks', 'two years', '24'])('rejects %j (whole months or years only)', (text) => {
    expect(() => parseHorizon(text)).toThrow(RangeError);
  });
});

describe('parseRate', () => {
  it.each([
    ['20/s', 20], ['20/sec', 20], ['1/second', 1], ['120/min', 2], ['60/m', 1], ['60/minute', 1], ['3600/hour', 1], ['7200/h', 2], ['86400/day', 1], ['172800/d', 2],
  ])('reads %s as %d per second', (text, perSecond) => {
    expect(parseRate(text)).toBeCloseTo(perSecond, 12);
  });

  it.each(['100 per minute', '100/week', '/min', '100 /min', '100/ min', '1.5/'])('rejects %j', (text) => {
    expect(() => parseRate(text)).toThrow(RangeError);
  });
});

describe('UNIT_PATTERNS', () => {
  const accepted: Record<UnitKind, string> = { duration: '300ms', percent: '99.95%', growth: '10%/month', size: '10MiB', horizon: '24 months', rate: '100/min' };

  it.each(Object.keys(UNIT_PATTERNS) as UnitKind[])('%s: its pattern is anchored and its example line names an accepted form', (kind) => {
    expect(UNIT_PATTERNS[kind].test(accepted[kind])).toBe(true);
    expect(UNIT_PATTERNS[kind].test(`x${accepted[kind]}`)).toBe(false);
    expect(UNIT_PATTERNS[kind].test(`${accepted[kind]}x`)).toBe(false);
    expect(UNIT_EXAMPLES[kind]).toContain(accepted[kind]);
  });
});

describe('formatDuration', () => {
  it.each([
    [0.5, '0.5 ms'], [230, '230 ms'], [1_000, '1 s'], [1_500, '1.5 s'], [259_200, '4.32 min'], [31_536_000, '8.76 h'], [315_360_000, '3.65 d'], [-1_500, '-1.5 s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips with parseDuration for whole units', () => {
    expect(formatDuration(parseDuration('15m'))).toBe('15 min');
    expect(formatDuration(parseDuration('2h'))).toBe('2 h');
    expect(formatDuration(parseDuration('30d'))).toBe('30 d');
  });
});

describe('formatPercent', () => {
  it('formats a fraction with up to four decimals by default', () => {
    expect(formatPercent(0.9995)).toBe('99.95%');
    expect(formatPercent(0.999999)).toBe('99.9999%');
    expect(formatPercent(0.99999999)).toBe('100%');
    expect(formatPercent(1)).toBe('100%');
  });

  it('takes the number of decimals', () => {
    expect(formatPercent(1 / 3, 2)).toBe('33.33%');
    expect(formatPercent(0.5, 0)).toBe('50%');
  });

  it('round-trips with parsePercent', () => {
    expect(formatPercent(parsePercent('99.95%'))).toBe('99.95%');
  });
});

describe('round', () => {
  it('rounds to the given number of decimals without trailing zeros', () => {
    expect(round(1.23456)).toBe(1.235);
    expect(round(1.23456, 1)).toBe(1.2);
    expect(round(2.5, 0)).toBe(3);
    expect(round(1.1, 3)).toBe(1.1);
  });
});

describe('formatSize', () => {
  it('uses binary units for whole multiples and decimal units otherwise', () => {
    expect(formatSize(16 * 1024)).toBe('16 KiB');
    expect(formatSize(1024 ** 2)).toBe('1 MiB');
    expect(formatSize(1_500_000)).toBe('1.5 MB');
    expect(formatSize(512)).toBe('512 B');
  });
});
