import { describe, expect, it } from 'vitest';
import { createdLocation, responseHelpers } from './handler-response.ts';

describe('ctx.created', () => {
  const helpers = responseHelpers('/api/v1/orders', '/api/v1');

  it('answers 201 with a Location under the API base path for a route-style path', () => {
    expect(helpers.created({ id: 'o-1' }, '/orders/o-1')).toEqual({ kind: 'archspec.response', status: 201, headers: { location: '/api/v1/orders/o-1' }, body: { id: 'o-1' } });
  });

  it('answers 201 without Location when none is given', () => {
    expect(helpers.created({ id: 'o-1' })).toMatchObject({ status: 201, headers: {} });
  });

  it('keeps absolute URLs and relative references as given, and needs no base path', () => {
    expect(createdLocation('/api', 'https://files.example/o-1')).toBe('https://files.example/o-1');
    expect(createdLocation('/api', '//cdn.example/o-1')).toBe('//cdn.example/o-1');
    expect(createdLocation('/api', 'o-1')).toBe('o-1');
    expect(createdLocation('', '/orders/o-1')).toBe('/orders/o-1');
  });
});
