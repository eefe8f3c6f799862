import { describe, it, expect } from 'vitest';
import { days, judge, listText, outside, specDuration } from './evidence.ts';

describe('judge', () => {
  it('meets a control with facts and nothing missing', () => {
    expect(judge('Art. 32', 'Security', [{ has: 'a' }, { has: 'b' }])).toEqual({ id: 'Art. 32', title: 'Security', satisfiedBy: ['a', 'b'], status: 'met' });
  });

  it('makes a control partial when a fact covers it only in part', () => {
    expect(judge('X', 'x', [{ has: 'a' }, { needs: 'b' }, { needs: 'c' }])).toMatchObject({ status: 'partial', satisfiedBy: ['a'], gap: 'b; c' });
  });

  it('reports a gap when no fact supports the control, whatever is missing', () => {
    expect(judge('X', 'x', [{ needs: 'add b' }])).toMatchObject({ status: 'gap', satisfiedBy: [], gap: 'add b' });
    expect(judge('X', 'x', [])).toMatchObject({ status: 'gap', gap: 'nothing in the spec addresses this control' });
  });

  it('keeps a control with organisational work partial, never met', () => {
    expect(judge('X', 'x', [{ has: 'a' }, outside('a DPA')])).toMatchObject({ status: 'partial', gap: 'a DPA (outside archspec)' });
  });

  it('lists a repeated fact once', () => {
    expect(judge('X', 'x', [{ has: 'a' }, { has: 'a' }]).satisfiedBy).toEqual(['a']);
  });
});

describe('text helpers', () => {
  it('joins lists for people', () => {
    expect(listText([])).toBe('');
    expect(listText(['a'])).toBe('a');
    expect(listText(['a', 'b', 'c'])).toBe('a, b and c');
  });

  it('writes durations the way the spec does', () => {
    expect(specDuration(30 * 86_400_000)).toBe('30d');
    expect(specDuration(15 * 60_000)).toBe('15m');
    expect(specDuration(300)).toBe('300ms');
    expect(days(365 * 86_400_000)).toBe('365d');
  });
});
