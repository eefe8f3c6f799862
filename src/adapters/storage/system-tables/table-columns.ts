import type { ColumnPlan } from '../schema-plan.ts';

/**
 * Column helpers for archspec's own tables. They are engine-neutral: ids, hashes, JSON documents
 * and ISO-8601 timestamps are text (they round-trip exactly and compare chronologically as text),
 * counters are `int4` (plenty for attempts and status codes). The SQL type is written `int4`, not
 * `integer`, because it is also what introspection must report back: PostgreSQL reports an
 * `integer` column as `int4`, and a mismatch reads as a type change that refuses every later
 * migration as destructive; SQLite reports the declared name and gives `int4` INTEGER affinity.
 */
export const text = (name: string, notNull = true, primaryKey = false): ColumnPlan => ({ name, kind: 'text', sqlType: 'text', notNull, ...(primaryKey ? { primaryKey } : {}) });

export const integer = (name: string, notNull = true, primaryKey = false): ColumnPlan => ({ name, kind: 'integer', sqlType: 'int4', notNull, ...(primaryKey ? { primaryKey } : {}) });
