import type { TablePlan } from '../schema-plan.ts';
import { integer, text } from './table-columns.ts';

/**
 * The append-only, hash-chained audit log: one row per write to an audited entity, in the write's
 * transaction. `hash` = SHA-256 over the previous row's hash and this row's canonical content, so
 * altering or deleting any row breaks the chain from there on (`archspec audit verify`).
 */
export function auditTables(): TablePlan[] {
  return [
    {
      name: '_archspec_audit',
      columns: [
        integer('seq', true, true), text('at'), text('actor'), text('action'), text('entity'), text('recordId'), text('requestId', false),
        text('before', false), text('after', false), text('prevHash'), text('hash'),
      ],
      indexes: [{ name: 'ix__archspec_audit_entity', columns: ['entity', 'recordId'], unique: false }],
    },
  ];
}
