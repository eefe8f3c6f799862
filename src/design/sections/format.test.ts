import { describe, expect, it } from 'vitest';
import { article, availability, count, decimal, latency, plural, rps, words } from './format.ts';

describe('section formatting', () => {
  it('shows availability with at least 4 decimals, more when the unavailability needs them', () => {
    expect(availability(0.9995)).toBe('99.95%');
    expect(availability(0.99930123)).toBe('99.9301%');
    expect(availability(0.999)).toBe('99.9%');
    expect(availability(0.99)).toBe('99%');
    expect(availability(0.9990000000000001)).toBe('99.9%');
    expect(availability(0.999999875)).toBe('99.9999875%');
  });

  it('never rounds a not-quite-perfect availability up to 100%', () => {
    expect(availability(0.999999999999)).not.toBe('100%');
    expect(availability(1)).toBe('100%');
  });

  it('writes rates and counts with thousands separators', () => {
    expect(rps(49248.66)).toBe('49,249');
    expect(rps(12.345)).toBe('12.3');
    expect(rps(0.0333)).toBe('0.03');
    expect(count(492486.63)).toBe('492,487');
    expect(decimal(68.948, 1)).toBe('68.9');
  });

  it('rounds computed latencies to a tenth of a millisecond', () => {
    expect(latency(11.7647)).toBe('11.8 ms');
    expect(latency(1500)).toBe('1.5 s');
  });

  it('picks a or an by the sound of the first word', () => {
    expect(['order platform', 'URL shortener', 'HTTP API', 'user store', 'unread count', 'event-driven', 'modular-monolith'].map(article))
      .toEqual(['an', 'a', 'an', 'a', 'an', 'an', 'a']);
  });

  it('joins words with commas and "and", and pluralises', () => {
    expect(words([])).toBe('none');
    expect(words(['a'])).toBe('a');
    expect(words(['a', 'b', 'c'])).toBe('a, b and c');
    expect(plural(1, 'entity', 'entities')).toBe('1 entity');
    expect(plural(3, 'entity', 'entities')).toBe('3 entities');
  });
});
