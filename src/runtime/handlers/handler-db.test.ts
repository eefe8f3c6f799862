import { describe, expect, it } from 'vitest';
import { filtersOf } from './handler-db.ts';

describe('ctx.db list filters', () => {
  it('turns plain values into equality and operator objects into comparisons', () => {
    expect(filtersOf({ status: 'booked', startsAt: { gte: 'a', lt: 'b' }, patient: undefined, amends: null })).toEqual([
      { field: 'status', op: 'eq', value: 'booked' },
      { field: 'startsAt', op: 'gte', value: 'a' },
      { field: 'startsAt', op: 'lt', value: 'b' },
      { field: 'amends', op: 'isNull', value: true },
    ]);
  });

  it('compares a json value that is an object without operator keys for equality', () => {
    expect(filtersOf({ meta: { colour: 'red' } })).toEqual([{ field: 'meta', op: 'eq', value: { colour: 'red' } }]);
  });
});
