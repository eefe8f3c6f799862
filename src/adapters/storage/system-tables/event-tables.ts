import type { TablePlan } from '../schema-plan.ts';
import { integer, text } from './table-columns.ts';

/**
 * The transactional outbox and its delivery state. `_archspec_outbox` gets one row per emitted
 * event in the emitting transaction; the relay hands unpublished rows to the event transport and
 * stamps `publishedAt`. The in-process transport keeps one `_archspec_deliveries` row per event and
 * consumer (pending -> done, or dead after the last attempt). `_archspec_processed` backs the
 * consumer-side dedupe helper (one row per consumer and key).
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
      ],
      indexes: [
        { name: 'ix__archspec_deliveries_status', columns: ['status', 'nextAttemptAt'], unique: false },
        { name: 'ix__archspec_deliveries_eventId', columns: ['eventId'], unique: false },
      ],
    },
    {
      name: '_archspec_processed',
      columns: [text('id', true, true), text('consumer'), text('key'), text('processedAt')],
      indexes: [],
    },
  ];
}
