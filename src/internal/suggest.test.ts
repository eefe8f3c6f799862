import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './suggest.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0], ['', 'abc', 3], ['abc', '', 3], ['kitten', 'sitting', 3], ['flaw', 'lawn', 2], ['ab', 'ba', 2], ['timzone', 'timezone', 1], ['same', 'same', 0],
  ])('from %j to %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('ignores case', () => {
    expect(editDistance('ABC', 'abc')).toBe(0);
    expect(editDistance('Note', 'notes')).toBe(1);
  });

  it('is symmetric', () => {
    expect(editDistance('gateway', 'gatway')).toBe(editDistance('gatway', 'gateway'));
  });
});

describe('closest', () => {
  it('picks the nearest candidate', () => {
    expect(closest('timzone', ['timeout', 'timezone', 'component'])).toBe('timezone');
    expect(closest('modular-monlith', ['modular-monolith', 'microservices', 'monolith'])).toBe('modular-monolith');
  });

  it('keeps the first of equally near candidates', () => {
    expect(closest('note', ['nose', 'node'])).toBe('nose');
  });

  it('returns an exact match (case-insensitively)', () => {
    expect(closest('user', ['admin', 'user'])).toBe('user');
    expect(closest('USER', ['admin', 'user'])).toBe('user');
  });

  it('allows a distance of a third of the input length on long names', () => {
    expect(closest('abcdefghijkl', ['abcdefghizzz'])).toBe('abcdefghizzz');
    expect(closest('abcdefghijkl', ['abcdefgzzzzz'])).toBeUndefined();
  });

  it('suggests nothing when no candidate is close', () => {
    expect(closest('xyz', ['timezone', 'schedule'])).toBeUndefined();
    expect(closest('anything', [])).toBeUndefined();
  });

  it('accepts any iterable of candidates', () => {
    expect(closest('usr', new Set(['user', 'admin']))).toBe('user');
  });
});

describe('didYouMean', () => {
  it('phrases the suggestion as a sentence that follows a message', () => {
    expect(didYouMean('usr', ['user', 'admin'])).toBe(' Did you mean "user"?');
  });

  it('is empty when nothing is close', () => {
    expect(didYouMean('zzzzzz', ['user', 'admin'])).toBe('');
  });
});
