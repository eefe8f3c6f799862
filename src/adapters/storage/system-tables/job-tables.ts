import type { TablePlan } from '../schema-plan.ts';
import { integer, text } from './table-columns.ts';

/**
 * Scheduled jobs. `_archspec_job_leases` holds one row per job: the instance holding its lease
 * (`holder`, `token` naming this acquisition), until when (`leaseUntil`; a released lease is set to
 * the epoch) and the last scheduled occurrence any instance started (`lastScheduledFor`), so a
 * second instance firing late for the same occurrence does not run it again. `_archspec_job_runs`
 * is the run history: one row per attempt (`trigger` schedule|manual, `status` running ->
 * succeeded | failed | timed-out, `result` as JSON when small).
 */
export function jobTables(): TablePlan[] {
  return [
    {
      name: '_archspec_job_leases',
      columns: [
        text('job', true, true), text('holder'), text('token'), text('leaseUntil'), text('acquiredAt'), text('lastScheduledFor', false),
      ],
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
