import type { TablePlan } from '../schema-plan.ts';
import { integer, text } from './table-columns.ts';

/** Name of the Idempotency-Key table (src/runtime/idempotency/ reads and writes it). */
export const IDEMPOTENCY_TABLE = '_archspec_idempotency';

/**
 * Idempotency-Key records of the endpoints that declare `idempotent: true`: one row per caller,
 * endpoint and key (`id` is a hash of the three), holding the hash of the request (path, query and
 * body bytes) and, once answered, the stored response. `status` is `pending` while the first
 * request runs (`owner`: a random token of the request processing it, `startedAt`: when it
 * started; a takeover replaces both), `committed` once the request's writes committed (set in
 * their transaction; `responseHeaders` may then hold the created record's location) and `done`
 * once its answer is stored. Rows are ignored
 * after `expiresAt` and purged lazily.
 */
export function idempotencyTables(): TablePlan[] {
  return [
    {
      name: IDEMPOTENCY_TABLE,
      columns: [
        text('id', true, true), text('endpoint'), text('caller'), text('key'), text('requestHash'), text('status'), text('owner'), text('startedAt'),
        integer('responseStatus', false), text('responseHeaders', false), text('responseBody', false), text('createdAt'), text('expiresAt'),
      ],
      indexes: [{ name: 'ix__archspec_idempotency_expiresAt', columns: ['expiresAt'], unique: false }],
    },
  ];
}
