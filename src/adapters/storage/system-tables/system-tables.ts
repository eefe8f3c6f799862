import type { TablePlan } from '../schema-plan.ts';
import { auditTables } from './audit-tables.ts';
import { authTables } from './auth-tables.ts';
import { eventTables } from './event-tables.ts';
import { idempotencyTables } from './idempotency-tables.ts';
import { jobTables } from './job-tables.ts';

/** Name of the migration history table; `migrate` creates and manages it outside the plan. */
export const MIGRATIONS_TABLE = '_archspec_migrations';

/**
 * archspec's own tables (`_archspec_*`), the same on every engine, created and migrated by
 * `migrate` next to the entity tables. Each feature owns one file in this folder.
 */
export function systemTables(): TablePlan[] {
  return [...authTables(), ...auditTables(), ...eventTables(), ...idempotencyTables(), ...jobTables()];
}
