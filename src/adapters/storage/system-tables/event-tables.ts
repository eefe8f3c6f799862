import type { TablePlan } from '../schema-plan.ts';
import { integer, text } from './table-columns.ts';

/**
 * The transactional outbox and its delivery state. `_archspec_outbox` gets one row per emitted
 * event in the emitting transaction; the relay hands unpublished rows to the event transport and
 * stamps `publishedAt`. The database transport (`src/adapters/broker/local/`) keeps one
 * `_archspec_deliveries` row per event and consumer, id `<eventId>:<consumer>` (pending -> done, or
 * dead after the last attempt), leased to one process at a time (`leaseUntil`, `leaseToken`).
 * `_archspec_processed` records what each consumer has handled (one row per consumer and key,
 * written in the consumer's transaction): the dispatcher's per-delivery record and `ctx.dedupe`.
 */
export function eventTables(): TablePlan[] {
  return [
    {
      name: '_archspec_outbox',
      columns: [text('id', true, true), text('event'), text('payload'), text('requestId', false), text('traceParent', false), text('createdAt'), text('publishedAt', false)],
      indexes: [{ name: 'ix__archspec_outbox_publishedAt', columns: ['publishedAt', 'createdAt'], unique: false }],
    },
    {
      name: '_archspec_deliveries',
      columns: [
        text('id', true, true), text('eventId'), text('event'), text('consumer'), text('payload'), text('status'), integer('attempts'),
        text('nextAttemptAt'), text('leaseUntil', false), text('lastError', false), text('createdAt'), text('deliveredAt', false),
        // Added with the transport: the message's own metadata and the current lease holder.
        text('emittedAt', false), text('requestId', false), text('traceParent', false), text('leaseToken', false),
      ],
      indexes: [
        { name: 'ix__archspec_deliveries_status', columns: ['status', 'nextAttemptAt'], unique: false },
        { name: 'ix__archspec_deliveries_eventId', columns: ['eventId'], unique: false },
      ],
    },
    {
      name: '_archspec_processed',
      columns: [text('id', true, true), text('consumer'), text('key'), text('processedAt')],
      indexes: [{ name: 'ix__archspec_processed_processedAt', columns: ['processedAt'], unique: false }],
    },
  ];
}
