import type { TablePlan } from '../schema-plan.ts';
import { integer, text } from './table-columns.ts';

/**
 * Scheduled jobs: `_archspec_job_leases` holds at most one lease per job (the instance running it
 * and until when), so one instance at a time runs a job; `_archspec_job_runs` is the run history.
 */
export function jobTables(): TablePlan[] {
  return [
    {
      name: '_archspec_job_leases',
      columns: [text('job', true, true), text('holder'), text('leaseUntil'), text('acquiredAt')],
      indexes: [],
    },
    {
      name: '_archspec_job_runs',
      columns: [
        text('id', true, true), text('job'), text('trigger'), text('instance'), text('status'), integer('attempt'),
        text('scheduledFor', false), text('startedAt'), text('finishedAt', false), text('error', false), text('result', false),
      ],
      indexes: [{ name: 'ix__archspec_job_runs_job', columns: ['job', 'startedAt'], unique: false }],
    },
  ];
}
