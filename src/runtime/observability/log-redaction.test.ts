import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskValues, REDACTED } from './log-redaction.ts';

const names = new Set(['email', 'password']);

/** Every value found under a masked key, at any depth. */
function exposed(value: unknown): unknown[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(exposed);
  return Object.entries(value).flatMap(([k, v]) => (names.has(k) && v !== REDACTED ? [v] : exposed(v)));
}

describe('maskValues', () => {
  it('leaves no value under a masked name in any JSON object and never changes its input', () => {
    const key = fc.constantFrom('email', 'password', 'name', 'items', 'body');
    const json = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.constant(null), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(fc.property(fc.dictionary(key, json, { maxKeys: 4 }), (input) => {
      const before = JSON.stringify(input);
      const out = maskValues(input, names);
      expect(exposed(out)).toEqual([]);
      expect(JSON.stringify(input)).toBe(before);
    }));
  });

  it('returns the very same object when nothing is masked', () => {
    const input = { a: { b: [1, { c: 2 }] } };
    expect(maskValues(input, names)).toBe(input);
  });

  it('does not walk into class instances such as errors', () => {
    const error = Object.assign(new Error('x'), { email: 'a@x.io' });
    expect(maskValues({ err: error }, names).err).toBe(error);
  });
});
