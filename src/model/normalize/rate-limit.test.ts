import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { editedSpecModel } from '../test-support/edited-spec.ts';
import { buildRateLimit, rateWindow } from './rate-limit.ts';

const LINKLY = fileURLToPath(new URL('../../../examples/linkly/archspec.yaml', import.meta.url));
const endpointOf = (mutate: (spec: any) => void, key: string) =>
  editedSpecModel(LINKLY, mutate, 'linkly spec').api.endpoints.find((e) => e.key === key)!;

describe('rateWindow', () => {
  it.each([
    ['60/min', 60, 60_000], ['3/s', 3, 1_000], ['10/hour', 10, 3_600_000], ['5/day', 5, 86_400_000], ['2/sec', 2, 1_000], ['100/m', 100, 60_000],
  ])('reads %s as %d per %d ms', (text, max, windowMs) => {
    expect(rateWindow(text)).toEqual({ max, windowMs });
  });

  it('keeps a fractional rate exact by widening the window', () => {
    expect(rateWindow('0.5/s')).toEqual({ max: 1, windowMs: 2_000 });
    expect(rateWindow('2.5/s')).toEqual({ max: 2, windowMs: 800 });
    expect(rateWindow('1.5/min')).toEqual({ max: 1, windowMs: 40_000 });
  });

  it('reads 0 as admitting nothing, and rejects what is not a rate', () => {
    expect(rateWindow('0/min')).toEqual({ max: 0, windowMs: 60_000 });
    expect(() => rateWindow('60 per minute')).toThrow(RangeError);
  });
});

describe('buildRateLimit', () => {
  it('reads the string form as one per-caller rule and keeps its text as written', () => {
    expect(buildRateLimit('60/min')).toEqual({
      text: '60/min',
      description: '60/min per caller',
      rules: [{ per: 'caller', rate: '60/min', perSecond: 1, max: 60, windowMs: 60_000 }],
    });
  });

  it('reads the mapping as one rule per scope, narrowest first, whatever the order written', () => {
    const limit = buildRateLimit({ endpoint: '1000/min', ip: '600/min', user: '60/min', apiKey: '600/min' });
    expect(limit.rules.map((r) => r.per)).toEqual(['apiKey', 'user', 'ip', 'endpoint']);
    expect(limit.text).toBe('600/min per API key, 60/min per user, 600/min per IP, 1000/min for the whole endpoint');
    expect(limit.description).toBe(limit.text);
  });
});

describe('api.endpoints.<endpoint>.rateLimit in the model', () => {
  it('accepts the string form and the mapping', () => {
    expect(endpointOf(() => {}, 'POST /links').rateLimit?.description).toBe('60/min per caller');
    const mapped = endpointOf((s) => { s.api.endpoints['GET /links'].rateLimit = { user: '60/min', ip: '600/min' }; }, 'GET /links');
    expect(mapped.rateLimit).toMatchObject({ text: '60/min per user, 600/min per IP', rules: [{ per: 'user', max: 60 }, { per: 'ip', max: 600 }] });
  });

  it('refuses an empty mapping, an unknown scope and a bad rate inside the mapping', () => {
    expect(() => endpointOf((s) => { s.api.endpoints['GET /links'].rateLimit = {}; }, 'GET /links')).toThrow(/name at least one of user, apiKey, ip, endpoint/);
    expect(() => endpointOf((s) => { s.api.endpoints['GET /links'].rateLimit = { users: '60/min' }; }, 'GET /links')).toThrow(/unknown field "users"\. Did you mean "user"/);
    expect(() => endpointOf((s) => { s.api.endpoints['GET /links'].rateLimit = { ip: '60 per minute' }; }, 'GET /links')).toThrow(/is not a valid rate/);
  });
});
