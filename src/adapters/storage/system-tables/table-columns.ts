import type { ColumnPlan } from '../schema-plan.ts';

/**
 * Column helpers for archspec's own tables. They are engine-neutral: ids, hashes, JSON documents
 * and ISO-8601 timestamps are text (they round-trip exactly and compare chronologically as text),
 * counters are `integer` (int4 on PostgreSQL, which is plenty for attempts and sequence numbers).
 */
export const text = (name: string, notNull = true, primaryKey = false): ColumnPlan => ({ name, kind: 'text', sqlType: 'text', notNull, ...(primaryKey ? { primaryKey } : {}) });

export const integer = (name: string, notNull = true, primaryKey = false): ColumnPlan => ({ name, kind: 'integer', sqlType: 'integer', notNull, ...(primaryKey ? { primaryKey } : {}) });
