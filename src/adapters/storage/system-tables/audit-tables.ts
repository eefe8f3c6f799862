import type { ColumnPlan, TablePlan } from '../schema-plan.ts';
import { text } from './table-columns.ts';

/** Name of the audit log table (`archspec audit verify` and the runtime's audit writer read it). */
export const AUDIT_TABLE = '_archspec_audit';

/**
 * `seq` is a 64-bit integer: one row per audited write outgrows int4 within months on a busy
 * system. `int8` is a type name both engines accept and report back unchanged on introspection
 * (SQLite gives it INTEGER affinity), so the schema diff sees no change on the next migration.
 */
const seq: ColumnPlan = { name: 'seq', kind: 'integer', sqlType: 'int8', notNull: true, primaryKey: true };

/**
 * The append-only, hash-chained audit log: one row per write to an audited entity, in the write's
 * transaction. `hash` = SHA-256 over the previous row's hash and this row's canonical content, so
 * altering or deleting any row breaks the chain from there on (`archspec audit verify`). Triggers
 * refusing UPDATE and DELETE are installed at server start (src/runtime/data/audit/audit-triggers.ts).
 */
export function auditTables(): TablePlan[] {
  return [
    {
      name: AUDIT_TABLE,
      columns: [
        seq, text('at'), text('actor'), text('action'), text('entity'), text('recordId'), text('requestId', false),
        text('before', false), text('after', false), text('prevHash'), text('hash'),
      ],
      indexes: [{ name: 'ix__archspec_audit_entity', columns: ['entity', 'recordId'], unique: false }],
    },
  ];
}
