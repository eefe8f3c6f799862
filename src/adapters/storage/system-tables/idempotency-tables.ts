import type { TablePlan } from '../schema-plan.ts';
import { integer, text } from './table-columns.ts';

/**
 * Idempotency-Key records of the endpoints that declare `idempotent: true`: one row per caller,
 * endpoint and key, holding the request body's hash and, once answered, the stored response.
 */
export function idempotencyTables(): TablePlan[] {
  return [
    {
      name: '_archspec_idempotency',
      columns: [
        text('id', true, true), text('endpoint'), text('caller'), text('key'), text('bodyHash'), text('status'),
        integer('responseStatus', false), text('responseHeaders', false), text('responseBody', false), text('createdAt'), text('expiresAt'),
      ],
      indexes: [{ name: 'ix__archspec_idempotency_expiresAt', columns: ['expiresAt'], unique: false }],
    },
  ];
}
